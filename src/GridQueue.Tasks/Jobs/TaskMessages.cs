namespace GridQueue.Tasks.Jobs;

/// <summary>The messages a task fails with, in one place, so each reason reads the same wherever it is detected.</summary>
public static class TaskMessages
{
    /// <summary>A submit may have reached the provider, and its answer is not known.</summary>
    public const string OutcomeUnknown =
        "The submission to the provider was interrupted and its outcome is unknown: the provider may have made (and " +
        "billed) the video. It was not sent again, to avoid paying for a second video; check your provider account " +
        "for a video of this prompt, or retry the task to submit it again.";

    /// <summary>The user's key was stored, but the server's key ring can no longer decrypt it.</summary>
    public const string ApiKeyUnreadable =
        "Your upstream API key could not be decrypted on this server (its encryption keys changed); nothing was " +
        "sent to the provider. Retry the task with the key in the X-User-Api-Key header.";

    public static string ProviderGone(string provider) =>
        $"Provider '{provider}' is no longer configured on this server, so the task cannot go on; configure it again " +
        "and retry the task, or generate it with another provider.";

    public static string Deadline(TimeSpan deadline) =>
        $"The task did not finish within {Describe(deadline)} of starting (Tasks__Deadline); it was stopped.";

    /// <summary>The job driving the task ended (or vanished) while the task was not finished.</summary>
    public static string JobEnded(string? jobState, string? lastError, bool submitInFlight)
    {
        var what = jobState switch
        {
            null => "The job driving this task no longer exists",
            "discarded" => "The job driving this task was given up",
            _ => $"The job driving this task ended ({jobState})",
        };
        var why = string.IsNullOrWhiteSpace(lastError) ? "" : $" after: {lastError}";
        return submitInFlight ? $"{what}{why}. {OutcomeUnknown}" : $"{what}{why}; the task was stopped. Retry it to try again.";
    }

    internal static string Describe(TimeSpan span) =>
        span.TotalMinutes >= 1 && span.Seconds == 0 ? $"{span.TotalMinutes:0} min" : $"{span.TotalSeconds:0.#} s";
}
