namespace GridQueue.Bench.Shared;

/// <summary>Reads one "--name value" or "--name=value" option of a benchmark's command line.</summary>
internal static class LongOption
{
    /// <summary>
    /// Reads the option at <paramref name="index"/> (advancing it past a separate value). Returns null when it was
    /// read, else a message for the user.
    /// </summary>
    public static string? TryRead(IReadOnlyList<string> args, ref int index, out string name, out string value)
    {
        ArgumentNullException.ThrowIfNull(args);
        var arg = args[index];
        (name, value) = (string.Empty, string.Empty);
        if (!arg.StartsWith("--", StringComparison.Ordinal))
        {
            return $"unexpected argument '{arg}'";
        }

        var equals = arg.IndexOf('=', StringComparison.Ordinal);
        if (equals > 0)
        {
            (name, value) = (arg[2..equals], arg[(equals + 1)..]);
            return null;
        }

        if (index + 1 < args.Count)
        {
            (name, value) = (arg[2..], args[++index]);
            return null;
        }

        return $"{arg} needs a value";
    }
}
