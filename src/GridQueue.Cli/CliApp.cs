using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;
using GridQueue.Cli.Commands;
using GridQueue.Cli.Output;

namespace GridQueue.Cli;

/// <summary>The gridqueue command tree, parsing with exit code 2 for usage errors, and invocation.</summary>
internal static class CliApp
{
    public const string Examples = $"""
        Examples:
          export GRIDQUEUE_TOKEN=$(gridqueue token alice)        # a dev-mode server
          gridqueue submit "a red kite over the sea" --model sora-2 --wait
          url=$(gridqueue submit "a red kite over the sea" --model sora-2 --wait)
          gridqueue list --status running
          gridqueue watch
          gridqueue status tsk_... --json

        The server is --server, else $GRIDQUEUE_SERVER, else http://127.0.0.1:5080.
        The token is --token or --token-file, else $GRIDQUEUE_TOKEN. A file or standard input keeps it out of
        shell history: --token-file ~/.gridqueue-token, or gridqueue list --token - < token.txt.

        {ExitCodes.Help}
        """;

    public static RootCommand Build(CliConsole console)
    {
        var globals = new GlobalOptions();
        var runner = new CommandRunner(console, globals);
        var root = new RootCommand("gridqueue: submit AI video tasks to a GridQueue server, wait for them, list, watch live, cancel and retry");
        globals.AddTo(root);
        var epilogs = new Dictionary<Command, string> { [root] = Examples };
        void Add(Command command, string examples)
        {
            root.Subcommands.Add(command);
            epilogs[command] = examples;
        }

        Add(SubmitCommand.Create(runner), SubmitCommand.Examples);
        Add(StatusCommand.Create(runner), StatusCommand.Examples);
        Add(ListCommand.Create(runner), ListCommand.Examples);
        Add(WatchCommand.Create(runner), WatchCommand.Examples);
        Add(CancelCommand.Create(runner), CancelCommand.Examples);
        Add(RetryCommand.Create(runner), RetryCommand.Examples);
        Add(TokenCommand.Create(runner), TokenCommand.Examples);

        var help = root.Options.OfType<HelpOption>().Single();
        help.Action = new HelpWithExamplesAction((SynchronousCommandLineAction)help.Action!, epilogs);
        return root;
    }

    public static async Task<int> RunAsync(string[] args, CliConsole console)
    {
        var parse = Build(console).Parse(args);

        // System.CommandLine would print the errors with the whole help and exit 1; the contract here is one line and 2.
        // --help and --version still win over errors (their actions clear them).
        if (parse.Action is ParseErrorAction || parse.Action is null)
        {
            return ErrorPrinter.Usage(console.Error, parse.CommandResult.Command, UsageMessage(parse));
        }

        var configuration = new InvocationConfiguration
        {
            Output = console.Out,
            Error = console.Error,

            // A failure nobody expected reaches Program.Main, which prints it whole and exits 70, instead of exit 1,
            // which means "the task failed" here.
            EnableDefaultExceptionHandler = false,
        };
        return await parse.InvokeAsync(configuration);
    }

    /// <summary>The parse errors on one line; "no command given" only when nothing else is wrong.</summary>
    private static string UsageMessage(ParseResult parse)
    {
        var messages = parse.Errors.Select(e => e.Message).ToList();
        if (parse.CommandResult.Command is RootCommand && messages.Count > 1)
        {
            messages.RemoveAll(m => m.Contains("Required command", StringComparison.Ordinal));
        }

        var text = messages.Count == 0 ? "no command given" : string.Join(" ", messages);
        return string.Join(' ', text.Split((char[])[' ', '\t', '\r', '\n'], StringSplitOptions.RemoveEmptyEntries));
    }
}
