namespace GridQueue.Cli;

/// <summary>The command line cannot be run as given (exit code 2); the message is one line for a person.</summary>
internal sealed class UsageException : Exception
{
    public UsageException()
    {
    }

    public UsageException(string message)
        : base(message)
    {
    }

    public UsageException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
