using GridQueue.Engine.Jobs;

namespace GridQueue.Engine.Storage;

/// <summary>A job ready to insert: every default resolved and validated by the engine.</summary>
public sealed record JobInsertRow(
    string Kind,
    string Queue,
    string Args,
    int Priority,
    JobState State,
    int MaxAttempts,
    DateTimeOffset ScheduledAt,
    DateTimeOffset CreatedAt,
    string? UniqueKey,
    string? FairnessKey);
