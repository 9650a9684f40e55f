using System.Collections;
using System.Globalization;

namespace GridQueue.Tasks.Telemetry;

/// <summary>
/// The logging scope of a handler run: structured (<c>task_id</c>, <c>job_id</c>) for JSON console output and
/// OpenTelemetry logs, and "task_id:... job_id:..." as text for the simple console formatter.
/// </summary>
internal sealed class TaskLogScope(string taskId, long jobId) : IReadOnlyList<KeyValuePair<string, object?>>
{
    public const string TaskIdKey = "task_id";
    public const string JobIdKey = "job_id";

    public int Count => 2;

    public KeyValuePair<string, object?> this[int index] => index switch
    {
        0 => new(TaskIdKey, taskId),
        1 => new(JobIdKey, jobId),
        _ => throw new ArgumentOutOfRangeException(nameof(index)),
    };

    public IEnumerator<KeyValuePair<string, object?>> GetEnumerator()
    {
        yield return this[0];
        yield return this[1];
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{TaskIdKey}:{taskId} {JobIdKey}:{jobId}");
}
