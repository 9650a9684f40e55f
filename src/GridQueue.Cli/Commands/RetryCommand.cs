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
        var wait = new Option<bool>("--wait", "-w")
        {
            Description = "Wait until the task ends, with a progress bar on stderr; prints the video URL on stdout. Exit 1 when it fails or is cancelled",
        };
        var apiKey = new Option<string?>("--api-key")
        {
            Description = $"Your own upstream provider key, needed again when the task was made with one (default: ${CliConsole.UserApiKeyVariable}); never printed",
            HelpName = "key",
        };
        var command = new Command("retry", "Queue a failed task again (attempt + 1). Prints the task id on stdout, or with --wait the video URL")
        {
            taskId, apiKey, wait,
        };

        command.SetAction(runner.Action(async (parse, context) =>
        {
            var id = parse.GetRequiredValue(taskId);
            var key = parse.GetValue(apiKey) ?? context.Console.Variable(CliConsole.UserApiKeyVariable);
            var task = string.IsNullOrWhiteSpace(key)
                ? await context.Client.RetryAsync(id, context.CancellationToken)
                : await context.Client.RetryAsync(id, key, context.CancellationToken);
            if (parse.GetValue(wait))
            {
                return await TaskOutcome.WaitAsync(context, task);
            }

            if (context.Json)
            {
                JsonOutput.WriteTask(context.Out, task);
            }
            else
            {
                context.Out.WriteLine(task.TaskId);
                context.Error.WriteLine($"{TaskPrinter.StatusName(task.Status)} again (attempt {task.Attempt}); follow it with: gridqueue watch {task.TaskId}");
            }

            return ExitCodes.Success;
        }));
        return command;
    }
}
