using System.CommandLine;
using GridQueue.Cli.Output;
using GridQueue.Client;

namespace GridQueue.Cli;

/// <summary>
/// Runs a command's action: resolves the server and the token, makes the client, and turns the ways a command can
/// end into the documented exit codes and messages.
/// </summary>
internal sealed class CommandRunner(CliConsole console, GlobalOptions globals)
{
    public CliConsole Console { get; } = console;

    public GlobalOptions Globals { get; } = globals;

    /// <summary>Makes the action for a command; <paramref name="needsToken"/> false only for commands the server answers without one.</summary>
    public Func<ParseResult, CancellationToken, Task<int>> Action(Func<ParseResult, CommandContext, Task<int>> body, bool needsToken = true) =>
        (parse, cancellationToken) => RunAsync(parse, body, needsToken, cancellationToken);

    private async Task<int> RunAsync(ParseResult parse, Func<ParseResult, CommandContext, Task<int>> body, bool needsToken, CancellationToken cancellationToken)
    {
        var json = parse.GetValue(Globals.Json);
        ServerAddress? server = null;
        try
        {
            server = Globals.ResolveServer(parse, Console);
            var token = Globals.ResolveToken(parse, Console);
            if (needsToken && token is null)
            {
                throw new UsageException(
                    $"no token: pass --token <jwt> or --token-file <path>, or set {GridQueueClientDefaults.TokenEnvironmentVariable} " +
                    $"(a dev-mode server makes one: export {GridQueueClientDefaults.TokenEnvironmentVariable}=$(gridqueue token <user-id>))");
            }

            using var client = new GridQueueClient(server.Uri, token);
            return await body(parse, new CommandContext(client, Console, json, cancellationToken));
        }
        catch (UsageException e)
        {
            return ErrorPrinter.Usage(Console.Error, parse.CommandResult.Command, e.Message);
        }
        catch (Exception e) when (cancellationToken.IsCancellationRequested && e is OperationCanceledException or GridQueueException)
        {
            // Ctrl+C: the user asked to stop; nothing more to say.
            return ExitCodes.Interrupted;
        }
        catch (GridQueueException e) when (e.Code is ErrorPrinter.ConnectionFailed or ErrorPrinter.InvalidResponse)
        {
            return ErrorPrinter.Unreachable(Console, json, server!, e);
        }
        catch (GridQueueException e)
        {
            return ErrorPrinter.Refused(Console, json, e);
        }
    }
}
