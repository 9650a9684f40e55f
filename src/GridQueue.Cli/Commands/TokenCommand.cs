using System.CommandLine;
using GridQueue.Cli.Output;
using GridQueue.Client;

namespace GridQueue.Cli.Commands;

/// <summary>gridqueue token &lt;user-id&gt;: POST /api/v1/dev/token (dev-mode servers only).</summary>
internal static class TokenCommand
{
    public const string Examples = """
        Examples:
          export GRIDQUEUE_TOKEN=$(gridqueue token alice)
          gridqueue token bob --server http://127.0.0.1:5080

        A server in jwt mode has no such route (exit 3): use a JWT from your identity provider instead.
        """;

    public static Command Create(CommandRunner runner)
    {
        var userId = new Argument<string>("user-id") { Description = "Who the token is for, e.g. alice" };
        var command = new Command("token", "Get a token for a user from a dev-mode server (Auth__Mode=dev); prints only the token")
        {
            userId,
        };

        command.SetAction(runner.Action(
            async (parse, context) =>
            {
                string token;
                try
                {
                    token = await context.Client.CreateDevTokenAsync(parse.GetRequiredValue(userId), context.CancellationToken);
                }
                catch (GridQueueException e) when (e.Code == GridQueueErrorCodes.NotFound)
                {
                    return ErrorPrinter.Refused(context.Console, context.Json, e, "hint: only a server in dev mode (Auth__Mode=dev) makes tokens; otherwise use your own JWT");
                }

                if (context.Json)
                {
                    JsonOutput.WriteToken(context.Out, token);
                }
                else
                {
                    context.Out.WriteLine(token);
                }

                return ExitCodes.Success;
            },
            needsToken: false));
        return command;
    }
}
