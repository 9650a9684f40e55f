using GridQueue.Cli.Output;
using GridQueue.Client;

namespace GridQueue.Cli.Commands;

/// <summary>How waiting for a task ends (submit --wait, retry --wait, watch &lt;task-id&gt;): output and exit code.</summary>
internal static class TaskOutcome
{
    /// <summary>
    /// A task the server just accepted (submit, retry): with --wait, <see cref="WaitAsync"/>; else the task id on
    /// stdout (with --json the task) and <paramref name="hint"/> with how to follow it on stderr; exit 0.
    /// </summary>
    public static async Task<int> AcceptedAsync(CommandContext context, VideoTask task, bool wait, string hint)
    {
        if (wait)
        {
            return await WaitAsync(context, task);
        }

        if (context.Json)
        {
            JsonOutput.WriteTask(context.Out, task);
        }
        else
        {
            context.Out.WriteLine(task.TaskId);
            context.Error.WriteLine($"{hint}; follow it with: gridqueue watch {task.TaskId}");
        }

        return ExitCodes.Success;
    }

    /// <summary>
    /// Waits with a progress bar on stderr, then: succeeded → the video URL on stdout (with --json the task), exit 0;
    /// failed → "failed: message" on stderr, exit 1; cancelled → "cancelled[: message]" on stderr, exit 1.
    /// </summary>
    public static async Task<int> WaitAsync(CommandContext context, VideoTask task)
    {
        var bar = new ProgressBar(context.Error, context.Console.ErrorIsTerminal);
        VideoTask final;
        try
        {
            bar.Report(task);
            final = await context.Client.WaitForCompletionAsync(task.TaskId, bar, context.CancellationToken);
        }
        finally
        {
            bar.Finish();
        }

        if (context.Json)
        {
            JsonOutput.WriteTask(context.Out, final);
        }
        else if (final.Status == VideoTaskStatus.Succeeded)
        {
            context.Out.WriteLine(final.VideoUrl);
        }

        return End(context, final);
    }

    /// <summary>The message on stderr for a failed or cancelled task and the exit code for a terminal task.</summary>
    public static int End(CommandContext context, VideoTask task)
    {
        switch (task.Status)
        {
            case VideoTaskStatus.Succeeded:
                return ExitCodes.Success;
            case VideoTaskStatus.Failed:
                context.Error.WriteLine($"failed: {task.ErrorMessage ?? "(no message)"}");
                return ExitCodes.TaskFailed;
            case VideoTaskStatus.Cancelled:
                context.Error.WriteLine(task.ErrorMessage is null ? "cancelled" : $"cancelled: {task.ErrorMessage}");
                return ExitCodes.TaskFailed;
            default:
                throw new InvalidOperationException($"Task {task.TaskId} is {TaskPrinter.StatusName(task.Status)}, not terminal.");
        }
    }
}
