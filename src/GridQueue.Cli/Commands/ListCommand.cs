using System.CommandLine;
using GridQueue.Cli.Output;
using GridQueue.Client;

namespace GridQueue.Cli.Commands;

/// <summary>gridqueue list [--status s] [--limit n] [--cursor c]: GET /api/v1/video/tasks.</summary>
internal static class ListCommand
{
    public const string Examples = """
        When there are more, the command for the next page is printed on stderr (more: gridqueue list --cursor ...).

        Examples:
          gridqueue list
          gridqueue list --status failed --limit 50
          gridqueue list --json | jq -r '.items[].task_id'

        Exit codes: 0 listed, 2 usage error, 3 refused by the server, 4 server unreachable.
        """;

    public static Command Create(CommandRunner runner)
    {
        var status = new Option<string?>("--status") { Description = "Only tasks in this status", HelpName = "status" };
        status.AcceptOnlyFromAmong("queued", "running", "succeeded", "failed", "cancelled");
        var limit = Parsing.RangeOption("--limit", "n", 1, 100, "How many tasks, 1-100 (default 20)");
        var cursor = new Option<string?>("--cursor") { Description = "Continue after this task (the next cursor a previous list printed)", HelpName = "cursor" };
        var command = new Command("list", "List your tasks, newest first: id, status, progress, created, prompt")
        {
            status, limit, cursor,
        };

        command.SetAction(runner.Action(async (parse, context) =>
        {
            VideoTaskStatus? filter = parse.GetValue(status) is { } name ? Enum.Parse<VideoTaskStatus>(name, ignoreCase: true) : null;
            var page = await context.Client.ListAsync(filter, parse.GetValue(limit), parse.GetValue(cursor), context.CancellationToken);
            if (context.Json)
            {
                JsonOutput.WritePage(context.Out, page);
                return ExitCodes.Success;
            }

            if (page.Items.Count == 0)
            {
                context.Error.WriteLine("no tasks");
            }
            else
            {
                TaskPrinter.PrintTable(context.Out, page.Items);
            }

            if (page.NextCursor is not null)
            {
                var more = string.Join(' ', new[]
                {
                    "gridqueue list",
                    parse.GetValue(status) is { } s ? $"--status {s}" : null,
                    parse.GetValue(limit) is { } n ? $"--limit {n}" : null,
                    $"--cursor {page.NextCursor}",
                }.OfType<string>());
                context.Error.WriteLine($"more: {more}");
            }

            return ExitCodes.Success;
        }));
        return command;
    }
}
