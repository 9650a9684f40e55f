using System.Globalization;
using GridQueue.Client;

namespace GridQueue.Cli.Output;

/// <summary>Tasks as text for people: the fields of one task, a table of tasks, one line per live update.</summary>
internal static class TaskPrinter
{
    private const int PromptColumn = 48;

    /// <summary>The contract's wire name of a status.</summary>
    public static string StatusName(VideoTaskStatus status) => status switch
    {
        VideoTaskStatus.Queued => "queued",
        VideoTaskStatus.Running => "running",
        VideoTaskStatus.Succeeded => "succeeded",
        VideoTaskStatus.Failed => "failed",
        VideoTaskStatus.Cancelled => "cancelled",
        _ => status.ToString(),
    };

    /// <summary>The main fields, one per line, values aligned.</summary>
    public static void PrintDetails(TextWriter output, VideoTask task)
    {
        var rows = new List<(string Name, string Value)>
        {
            ("id", task.TaskId),
            ("status", $"{StatusName(task.Status)}  {Percent(task.Progress)}"),
            ("provider", $"{task.Provider} / {task.Model}"),
            ("format", $"{task.AspectRatio}, {task.Duration.ToString(CultureInfo.InvariantCulture)} s{(task.Hd ? ", hd" : "")}"),
            ("prompt", task.Prompt),
        };
        if (task.Images.Count > 0)
        {
            rows.Add(("images", string.Join('\n', task.Images)));
        }

        if (task.VideoUrl is not null)
        {
            rows.Add(("video_url", task.VideoUrl));
        }

        if (task.ErrorMessage is not null)
        {
            rows.Add(("error", task.ErrorMessage));
        }

        rows.Add(("attempt", task.Attempt.ToString(CultureInfo.InvariantCulture)));
        if (task.UpstreamTaskId is not null)
        {
            rows.Add(("upstream", task.UpstreamTaskId));
        }

        rows.Add(("created", Time(task.CreatedAt)));
        rows.Add(("updated", Time(task.UpdatedAt)));
        if (task.CompletedAt is { } completed)
        {
            rows.Add(("completed", Time(completed)));
        }

        var width = rows.Max(r => r.Name.Length) + 2;
        foreach (var (name, value) in rows)
        {
            // A value over several lines (a long prompt, several images) keeps its continuation lines aligned.
            var lines = value.ReplaceLineEndings("\n").Split('\n');
            output.WriteLine($"{name.PadRight(width)}{lines[0]}");
            foreach (var line in lines.Skip(1))
            {
                output.WriteLine($"{new string(' ', width)}{line}");
            }
        }
    }

    /// <summary>ID, STATUS, PROGRESS, CREATED and the prompt shortened to fit one line.</summary>
    public static void PrintTable(TextWriter output, IReadOnlyList<VideoTask> tasks)
    {
        string[] header = ["ID", "STATUS", "PROGRESS", "CREATED (UTC)", "PROMPT"];
        var rows = tasks.Select(t => new[] { t.TaskId, StatusName(t.Status), Percent(t.Progress), Time(t.CreatedAt), Shorten(t.Prompt, PromptColumn) }).ToList();
        var widths = header.Select((h, i) => Math.Max(h.Length, rows.Count == 0 ? 0 : rows.Max(r => r[i].Length))).ToArray();
        foreach (var row in rows.Prepend(header))
        {
            var cells = row.Select((cell, i) => i == row.Length - 1 ? cell : cell.PadRight(widths[i]));
            output.WriteLine(string.Join("  ", cells).TrimEnd());
        }
    }

    /// <summary>One live update: time, id, status, progress, and the video URL or the error when there is one.</summary>
    public static string UpdateLine(VideoTask task)
    {
        var line = $"{task.UpdatedAt.UtcDateTime.ToString("HH:mm:ss", CultureInfo.InvariantCulture)}  {task.TaskId}  {StatusName(task.Status),-9}  {Percent(task.Progress),4}";
        var detail = task.VideoUrl ?? task.ErrorMessage;
        return detail is null ? line : $"{line}  {Flatten(detail)}";
    }

    public static string Percent(int progress) => $"{progress.ToString(CultureInfo.InvariantCulture)}%";

    public static string Time(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    /// <summary>The text on one line, cut to <paramref name="max"/> characters with an ellipsis.</summary>
    public static string Shorten(string text, int max)
    {
        var flat = Flatten(text);
        return flat.Length <= max ? flat : string.Concat(flat.AsSpan(0, max - 1).TrimEnd(), "…");
    }

    private static string Flatten(string text) => string.Join(' ', text.Split((char[])['\r', '\n', '\t'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
}
