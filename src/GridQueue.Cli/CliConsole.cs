namespace GridQueue.Cli;

/// <summary>
/// What the tool reads from and writes to outside itself: stdin (read only for <c>--token -</c>), stdout, stderr,
/// whether stderr is a terminal (the progress bar redraws in place only then) and the environment. Commands never
/// touch <see cref="Console"/> directly.
/// </summary>
internal sealed record CliConsole(TextReader In, TextWriter Out, TextWriter Error, bool ErrorIsTerminal, Func<string, string?> GetEnvironmentVariable)
{
    public const string UserApiKeyVariable = "GRIDQUEUE_USER_API_KEY";

    public static CliConsole FromSystem() =>
        new(Console.In, Console.Out, Console.Error, !Console.IsErrorRedirected, Environment.GetEnvironmentVariable);

    /// <summary>The variable's value, or null when it is unset, empty or only white space.</summary>
    public string? Variable(string name) => GetEnvironmentVariable(name) is { } value && !string.IsNullOrWhiteSpace(value) ? value.Trim() : null;
}
