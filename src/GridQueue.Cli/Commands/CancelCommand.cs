using System.CommandLine;
using GridQueue.Cli.Output;

namespace GridQueue.Cli.Commands;

/// <summary>gridqueue cancel &lt;task-id&gt;: POST /api/v1/video/cancel/{id}.</summary>
internal static class CancelCommand
{
    public const string Examples = """
        Prints "<task-id> cancelled" (with --json the task).

        Examples:
          gridqueue cancel tsk_...

        Exit codes: 0 cancelled, 2 usage error, 3 refused by the server (BAD_REQUEST: the task already succeeded
        or failed; NOT_FOUND), 4 server unreachable.
        """;

    public static Command Create(CommandRunner runner)
    {
        var taskId = Parsing.TaskId();
        var command = new Command("cancel", "Cancel a queued or running task (cancelling a cancelled task is fine; a succeeded or failed one is refused, exit 3)")
        {
            taskId,
        };

        command.SetAction(runner.Action(async (parse, context) =>
        {
            var task = await context.Client.CancelAsync(parse.GetRequiredValue(taskId), context.CancellationToken);
            if (context.Json)
            {
                JsonOutput.WriteTask(context.Out, task);
            }
            else
            {
                context.Out.WriteLine($"{task.TaskId} {TaskPrinter.StatusName(task.Status)}");
            }

            return ExitCodes.Success;
        }));
        return command;
    }
}
