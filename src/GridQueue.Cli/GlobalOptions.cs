using System.CommandLine;
using GridQueue.Client;

namespace GridQueue.Cli;

/// <summary>--server, --token, --token-file and --json: on every command (recursive), with their environment fallbacks.</summary>
internal sealed class GlobalOptions
{
    /// <summary>The <c>--token</c> value that means "read it from standard input".</summary>
    public const string StandardInput = "-";

    public Option<string?> Server { get; } = new("--server")
    {
        Description = $"The GridQueue server's base URL. Default: ${GridQueueClientDefaults.ServerEnvironmentVariable}, else {GridQueueClientDefaults.DefaultServer}",
        HelpName = "url",
        Recursive = true,
    };

    public Option<string?> Token { get; } = new("--token")
    {
        Description = $"Your access token (a JWT); '-' reads it from standard input (one line). Default: ${GridQueueClientDefaults.TokenEnvironmentVariable}. A dev-mode server makes one: gridqueue token <user-id>",
        HelpName = "jwt",
        Recursive = true,
    };

    // A token on the command line lands in shell history and in the process list; a file or stdin keeps it out.
    public Option<string?> TokenFile { get; } = new("--token-file")
    {
        Description = "Read the access token from this file (surrounding white space and the final newline are ignored), instead of --token",
        HelpName = "path",
        Recursive = true,
    };

    public Option<bool> Json { get; } = new("--json")
    {
        Description = "Print exactly one JSON document on stdout (the API's snake_case objects) instead of text for people",
        Recursive = true,
    };

    public void AddTo(RootCommand root)
    {
        root.Options.Add(Server);
        root.Options.Add(Token);
        root.Options.Add(TokenFile);
        root.Options.Add(Json);
    }

    /// <summary>--server, else GRIDQUEUE_SERVER, else the default; an http(s) URL ending in '/', and where it came from.</summary>
    public ServerAddress ResolveServer(ParseResult parse, CliConsole console)
    {
        var source = "--server";
        var text = parse.GetValue(Server);
        if (string.IsNullOrWhiteSpace(text))
        {
            text = console.Variable(GridQueueClientDefaults.ServerEnvironmentVariable);
            source = GridQueueClientDefaults.ServerEnvironmentVariable;
        }

        if (text is null)
        {
            return new ServerAddress(GridQueueClientDefaults.DefaultServer, "the default");
        }

        text = text.Trim();
        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps)
            || !string.IsNullOrEmpty(uri.Query) || !string.IsNullOrEmpty(uri.Fragment))
        {
            throw new UsageException($"{source} must be the server's http:// or https:// base URL, e.g. http://127.0.0.1:5080, not '{text}'");
        }

        // A base address without a trailing '/' would lose its last path segment when the API paths are added.
        return new ServerAddress(uri.AbsolutePath.EndsWith('/') ? uri : new Uri(uri.AbsoluteUri + "/"), source);
    }

    /// <summary>--token (<c>-</c>: a line of stdin), or --token-file, else GRIDQUEUE_TOKEN, else null.</summary>
    public string? ResolveToken(ParseResult parse, CliConsole console)
    {
        var token = parse.GetValue(Token);
        var file = parse.GetValue(TokenFile);
        if (token is not null && file is not null)
        {
            throw new UsageException("--token and --token-file were both given; pass only one of them");
        }

        if (file is not null)
        {
            return TokenFrom(ReadTokenFile(file), $"--token-file {file}: the file holds no token");
        }

        if (token?.Trim() == StandardInput)
        {
            return TokenFrom(console.In.ReadLine(), "--token -: standard input held no token (pipe it in, e.g. --token - < token.txt)");
        }

        return token is not null && !string.IsNullOrWhiteSpace(token)
            ? token.Trim()
            : console.Variable(GridQueueClientDefaults.TokenEnvironmentVariable);
    }

    private static string ReadTokenFile(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            // The message says why (no such file, a folder, permission denied); the option is named so it can be fixed.
            throw new UsageException($"--token-file {path}: cannot read it: {e.Message}", e);
        }
    }

    private static string TokenFrom(string? text, string emptyMessage) =>
        string.IsNullOrWhiteSpace(text) ? throw new UsageException(emptyMessage) : text.Trim();
}

/// <summary>The server's base URL and where it came from (--server, GRIDQUEUE_SERVER or the default), for messages.</summary>
internal sealed record ServerAddress(Uri Uri, string Source);
