using System.CommandLine;
using GridQueue.Cli.Output;

namespace GridQueue.Cli.Commands;

/// <summary>gridqueue status &lt;task-id&gt;: GET /api/v1/video/status/{id}.</summary>
internal static class StatusCommand
{
    public const string Examples = """
        Examples:
          gridqueue status tsk_...
          gridqueue status tsk_... --json | jq -r .video_url

        Exit codes: 0 shown (whatever the task's status), 2 usage error, 3 refused by the server (NOT_FOUND: no
        such task of yours), 4 server unreachable.
        """;

    public static Command Create(CommandRunner runner)
    {
        var taskId = Parsing.TaskId();
        var command = new Command("status", "Show one task: status, progress, provider and model, prompt, video URL or error, attempt, times")
        {
            taskId,
        };

        command.SetAction(runner.Action(async (parse, context) =>
        {
            var task = await context.Client.GetAsync(parse.GetRequiredValue(taskId), context.CancellationToken);
            if (context.Json)
            {
                JsonOutput.WriteTask(context.Out, task);
            }
            else
            {
                TaskPrinter.PrintDetails(context.Out, task);
            }

            return ExitCodes.Success;
        }));
        return command;
    }
}
