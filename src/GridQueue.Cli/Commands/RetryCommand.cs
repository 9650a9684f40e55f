using System.CommandLine;
using GridQueue.Cli.Output;

namespace GridQueue.Cli.Commands;

/// <summary>gridqueue retry &lt;task-id&gt; [--wait]: POST /api/v1/video/retry/{id}.</summary>
internal static class RetryCommand
{
    public const string Examples = """
        Examples:
          gridqueue retry tsk_...
          gridqueue retry tsk_... --wait

        Exit codes: 0 queued again (with --wait: succeeded), 1 with --wait: failed or cancelled again, 2 usage
        error, 3 refused by the server (BAD_REQUEST: the task is not failed), 4 server unreachable, 130 Ctrl+C.
        """;

    public static Command Create(CommandRunner runner)
    {
        var taskId = Parsing.TaskId("The failed task's id (tsk_...)");
        var wait = Parsing.Wait();
        var apiKey = Parsing.ApiKey("Your own upstream provider key, needed again when the task was made with one");
        var command = new Command("retry", "Queue a failed task again (attempt + 1). Prints the task id on stdout, or with --wait the video URL")
        {
            taskId, apiKey, wait,
        };

        command.SetAction(runner.Action(async (parse, context) =>
        {
            var id = parse.GetRequiredValue(taskId);
            var key = Parsing.ApiKeyValue(parse, apiKey, context);
            var task = key is null
                ? await context.Client.RetryAsync(id, context.CancellationToken)
                : await context.Client.RetryAsync(id, key, context.CancellationToken);
            return await TaskOutcome.AcceptedAsync(context, task, parse.GetValue(wait), $"{TaskPrinter.StatusName(task.Status)} again (attempt {task.Attempt})");
        }));
        return command;
    }
}
