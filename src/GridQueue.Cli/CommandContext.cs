using GridQueue.Client;

namespace GridQueue.Cli;

/// <summary>What a command's action works with: the client for the resolved server and token, the output and the options.</summary>
internal sealed class CommandContext(GridQueueClient client, CliConsole console, bool json, CancellationToken cancellationToken)
{
    public GridQueueClient Client { get; } = client;

    public CliConsole Console { get; } = console;

    public TextWriter Out => Console.Out;

    public TextWriter Error => Console.Error;

    /// <summary>--json: one JSON document on stdout.</summary>
    public bool Json { get; } = json;

    /// <summary>Fires on Ctrl+C (SIGINT) or SIGTERM.</summary>
    public CancellationToken CancellationToken { get; } = cancellationToken;
}
