using System.CommandLine;
using GridQueue.Client;

namespace GridQueue.Cli;

/// <summary>--server, --token and --json: on every command (recursive), with their environment fallbacks.</summary>
internal sealed class GlobalOptions
{
    public Option<string?> Server { get; } = new("--server")
    {
        Description = $"The GridQueue server's base URL. Default: ${GridQueueClientDefaults.ServerEnvironmentVariable}, else {GridQueueClientDefaults.DefaultServer}",
        HelpName = "url",
        Recursive = true,
    };

    public Option<string?> Token { get; } = new("--token")
    {
        Description = $"Your access token (a JWT). Default: ${GridQueueClientDefaults.TokenEnvironmentVariable}. A dev-mode server makes one: gridqueue token <user-id>",
        HelpName = "jwt",
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

    /// <summary>--token, else GRIDQUEUE_TOKEN, else null.</summary>
    public string? ResolveToken(ParseResult parse, CliConsole console) =>
        parse.GetValue(Token) is { } token && !string.IsNullOrWhiteSpace(token)
            ? token.Trim()
            : console.Variable(GridQueueClientDefaults.TokenEnvironmentVariable);
}

/// <summary>The server's base URL and where it came from (--server, GRIDQUEUE_SERVER or the default), for messages.</summary>
internal sealed record ServerAddress(Uri Uri, string Source);
