namespace GridQueue.Tasks.Model;

/// <summary>
/// Where the current attempt's upstream submit stands. Recorded before the provider is called, so a worker that
/// dies mid-submit leaves "InFlight" behind and its successor knows the outcome is unknown.
/// </summary>
public enum SubmitState
{
    /// <summary>Not sent yet, or the last try failed in a way that proves nothing was made upstream.</summary>
    NotSent,

    /// <summary>A submit was (or is being) sent and its answer was not recorded.</summary>
    InFlight,

    /// <summary>The upstream accepted it; <see cref="VideoTask.UpstreamTaskId"/> is set.</summary>
    Accepted,
}
