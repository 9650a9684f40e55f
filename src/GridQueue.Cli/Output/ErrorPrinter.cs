using System.CommandLine;
using GridQueue.Client;

namespace GridQueue.Cli.Output;

/// <summary>The messages for usage errors (exit 2), refusals by the server (exit 3) and an unreachable server (exit 4).</summary>
internal static class ErrorPrinter
{
    public const string ConnectionFailed = GridQueueErrorCodes.ConnectionFailed;
    public const string InvalidResponse = GridQueueErrorCodes.InvalidResponse;

    /// <summary>One line saying what is wrong, then where to read more.</summary>
    public static int Usage(TextWriter error, Command command, string message)
    {
        error.WriteLine($"error: {message}");
        error.WriteLine($"Run '{CommandPath(command)} --help'.");
        return ExitCodes.Usage;
    }

    /// <summary>
    /// <c>error: CODE: message</c> and each details field on stderr; with --json the error object on stdout as well.
    /// </summary>
    public static int Refused(CliConsole console, bool json, GridQueueException exception, string? hint = null)
    {
        if (json)
        {
            JsonOutput.WriteError(console.Out, exception.Code, exception.Message, exception.Details);
        }

        var error = console.Error;
        error.WriteLine($"error: {exception.Code}: {exception.Message}");
        foreach (var (field, message) in exception.Details.OrderBy(d => d.Key, StringComparer.Ordinal))
        {
            error.WriteLine($"  {field}: {message}");
        }

        if (exception.RetryAfter is { } retryAfter)
        {
            error.WriteLine($"  retry after: {Math.Ceiling(retryAfter.TotalSeconds):0} s");
        }

        hint ??= exception.Code switch
        {
            GridQueueErrorCodes.Unauthorized => $"hint: check --token or {GridQueueClientDefaults.TokenEnvironmentVariable} (it may have expired; a dev-mode server makes one: gridqueue token <user-id>)",
            _ => null,
        };
        if (hint is not null)
        {
            error.WriteLine(hint);
        }

        return ExitCodes.ServerRefused;
    }

    /// <summary>The client's message (it names the URL it called), which base URL was used, and how to point the tool elsewhere.</summary>
    public static int Unreachable(CliConsole console, bool json, ServerAddress server, GridQueueException exception)
    {
        if (json)
        {
            JsonOutput.WriteError(console.Out, exception.Code, exception.Message, new Dictionary<string, string> { ["server"] = server.Uri.ToString() });
        }

        console.Error.WriteLine($"error: {exception.Code}: {exception.Message}");
        console.Error.WriteLine(
            $"hint: the server tried was {server.Uri} (from {server.Source}); pass --server <url> or set {GridQueueClientDefaults.ServerEnvironmentVariable}");
        return ExitCodes.Unreachable;
    }

    private static string CommandPath(Command command) => command is RootCommand ? "gridqueue" : $"gridqueue {command.Name}";
}
