using System.Text.Json.Serialization;
using GridQueue.Client.Json;

namespace GridQueue.Client;

/// <summary>A task's status; on the wire the lowercase names <c>queued</c> … <c>cancelled</c>.</summary>
[JsonConverter(typeof(VideoTaskStatusJsonConverter))]
public enum VideoTaskStatus
{
    /// <summary>Accepted, not yet submitted upstream (also after a retry).</summary>
    Queued,

    /// <summary>Submitted upstream and in progress.</summary>
    Running,

    /// <summary>Terminal: the video is ready at <see cref="VideoTask.VideoUrl"/>.</summary>
    Succeeded,

    /// <summary>Terminal (until retried): see <see cref="VideoTask.ErrorMessage"/>.</summary>
    Failed,

    /// <summary>Terminal: cancelled by its user.</summary>
    Cancelled,
}
