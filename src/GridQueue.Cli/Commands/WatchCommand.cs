using System.CommandLine;
using GridQueue.Cli.Output;
using GridQueue.Client;

namespace GridQueue.Cli.Commands;

/// <summary>gridqueue watch [&lt;task-id&gt;]: GET /api/v1/video/events, one line per update.</summary>
internal static class WatchCommand
{
    public const string Examples = """
        Each line: time (UTC), task id, status, progress, and the video URL or the error. With --json: one task
        object per line (JSON Lines). A dropped connection is resumed where it stopped, without losing a change
        ("connection lost, reconnecting…" on stderr).

        Examples:
          gridqueue watch                      # all your tasks, until Ctrl+C
          gridqueue watch tsk_... && echo done

        Exit codes: with a task id 0 when it succeeded, 1 failed or cancelled; without one 130 on Ctrl+C;
        2 usage error, 3 refused by the server, 4 server unreachable.
        """;

    public static Command Create(CommandRunner runner)
    {
        var taskId = new Argument<string?>("task-id")
        {
            Description = "Only this task; then watch ends when the task ends (exit 0 succeeded, 1 failed or cancelled)",
            Arity = ArgumentArity.ZeroOrOne,
        };
        var command = new Command("watch", "Print one line per change of your tasks, live; with a task id, until that task ends")
        {
            taskId,
        };

        command.SetAction(runner.Action((parse, context) =>
            parse.GetValue(taskId) is { } id ? WatchOneAsync(context, id) : WatchAllAsync(context)));
        return command;
    }

    private static async Task<int> WatchAllAsync(CommandContext context)
    {
        var options = new WatchOptions { Disconnected = e => Disconnected(context, e) };
        await foreach (var update in context.Client.WatchAsync(options, context.CancellationToken))
        {
            Print(context, update.Task);
        }

        return ExitCodes.Success;
    }

    /// <summary>
    /// Reads the task, then follows its stream from the first event the server still keeps (replay from id 0 with the
    /// task filter), skipping states not newer than the one shown: no change can fall between the read and the
    /// stream, and a task that is already done ends the command at once.
    /// </summary>
    private static async Task<int> WatchOneAsync(CommandContext context, string id)
    {
        var shown = await context.Client.GetAsync(id, context.CancellationToken);
        Print(context, shown);
        if (shown.IsTerminal)
        {
            return TaskOutcome.End(context, shown);
        }

        var options = new WatchOptions { TaskId = id, LastEventId = 0, Disconnected = e => Disconnected(context, e) };
        await foreach (var update in context.Client.WatchAsync(options, context.CancellationToken))
        {
            var task = update.Task;
            if (!task.IsNewerThan(shown))
            {
                continue;
            }

            Print(context, task);
            shown = task;
            if (task.IsTerminal)
            {
                return TaskOutcome.End(context, task);
            }
        }

        return ExitCodes.Success;
    }

    private static void Print(CommandContext context, VideoTask task)
    {
        if (context.Json)
        {
            JsonOutput.WriteTaskLine(context.Out, task);
        }
        else
        {
            context.Out.WriteLine(TaskPrinter.UpdateLine(task));
            context.Out.Flush();
        }
    }

    private static void Disconnected(CommandContext context, Exception exception) =>
        context.Error.WriteLine($"connection lost, reconnecting… ({exception.Message})");
}
