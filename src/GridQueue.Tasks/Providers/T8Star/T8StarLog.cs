using Microsoft.Extensions.Logging;

namespace GridQueue.Tasks.Providers.T8Star;

/// <summary>The T8Star provider's log messages, source-generated. None carries an API key.</summary>
internal static partial class T8StarLog
{
    [LoggerMessage(3101, LogLevel.Warning, "t8star {Method} {Path}: {Outcome}; retry {Retry} in {Delay}")]
    public static partial void Retrying(ILogger logger, string method, string path, string outcome, int retry, TimeSpan delay);

    [LoggerMessage(3102, LogLevel.Warning, "t8star submit: outcome unknown ({Reason}); the upstream may have started a video that cannot be tracked")]
    public static partial void SubmitOutcomeUnknown(ILogger logger, string reason);

    [LoggerMessage(3103, LogLevel.Information, "t8star submit accepted as upstream task {UpstreamTaskId}")]
    public static partial void Submitted(ILogger logger, string upstreamTaskId);
}
