using GridQueue.Tasks.Storage;

namespace GridQueue.Storage.Postgres.Tasks;

/// <summary>
/// The task SQL files embedded in this assembly (Tasks/Sql), read once. "{columns}" stands for
/// <see cref="TaskRows.Columns"/>, each qualified with t (the alias of gq_tasks), in the order TaskRows reads them.
/// </summary>
internal static class TaskSqlText
{
    // First: the statements below are read with it during static initialization, in textual order.
    private static readonly string QualifiedColumns = string.Join(", ", TaskRows.Columns.Split(", ").Select(c => "t." + c));

    /// <summary>
    /// Takes the event writers' lock before a sequence number is drawn (see <see cref="EventVisibility"/>); the
    /// statements that append an event embed it as "{event_writers_lock}". Before them: statics start in textual order.
    /// </summary>
    public static readonly string EventWritersLock = Load("event_writers_lock");

    public static readonly string TaskGet = Load("task_get");
    public static readonly string TaskGetWithImages = Load("task_get_with_images");
    public static readonly string TaskInsert = Load("task_insert");
    public static readonly string TaskImagesInsert = Load("task_images_insert");
    public static readonly string TaskImagesGet = Load("task_images_get");
    public static readonly string TaskUpdate = Load("task_update");
    public static readonly string TaskUpdateWithEvent = Load("task_update_with_event")
        .Replace("{task_update}", TaskUpdate.Trim().TrimEnd(';'), StringComparison.Ordinal)
        .Replace("{event_writers_lock}", EventWritersLock.Trim(), StringComparison.Ordinal);

    /// <summary><see cref="TaskUpdateWithEvent"/> and the commit, in one round trip.</summary>
    public static readonly string TaskUpdateWithEventAndCommit = TaskUpdateWithEvent.TrimEnd() + "\nCOMMIT;";
    public static readonly string TaskList = Load("task_list");
    public static readonly string TaskListByStatus = Load("task_list_by_status");
    public static readonly string TaskCountRunningByUser = Load("task_count_running_by_user");
    public static readonly string TaskCountRunningByProvider = Load("task_count_running_by_provider");
    public static readonly string TaskQueuedHeadsByUser = Load("task_queued_heads_by_user");
    public static readonly string TaskQueuedHeadsByProvider = Load("task_queued_heads_by_provider");
    public static readonly string TaskWaitingHeads = Load("task_waiting_heads");
    public static readonly string TaskListStuck = Load("task_list_stuck");
    public static readonly string TaskEraseKeptKeys = Load("task_erase_kept_keys");
    public static readonly string LockSlots = Load("lock_slots");
    public static readonly string EventInsert = Load("event_insert");

    public static readonly string EventAppend = Load("event_append")
        .Replace("{event_writers_lock}", EventWritersLock.Trim(), StringComparison.Ordinal)
        .Replace("{event_insert}", EventInsert.Trim(), StringComparison.Ordinal);
    public static readonly string EventVisibleBound = Load("event_visible_bound");
    public static readonly string EventListAfter = Load("event_list_after");
    public static readonly string EventListAfterByUser = Load("event_list_after_by_user");
    public static readonly string EventListAfterByTask = Load("event_list_after_by_task");
    public static readonly string EventLastSequence = Load("event_last_sequence");
    public static readonly string EventDeleteBefore = Load("event_delete_before");
    public static readonly string IdempotencyClaim = Load("idempotency_claim");
    public static readonly string IdempotencyHolder = Load("idempotency_holder");
    public static readonly string IdempotencyDeleteBefore = Load("idempotency_delete_before");

    /// <summary>The running-task count for one user (when given) or one provider.</summary>
    public static string CountRunning(string? userId) => userId is not null ? TaskCountRunningByUser : TaskCountRunningByProvider;

    /// <summary>
    /// A statement without its whole-line comments (they document the file; Npgsql, which rewrites @name parameters
    /// and splits statements at semicolons, then never reads the prose).
    /// </summary>
    private static string Load(string name)
    {
        var resource = $"TaskSql.{name}.sql";
        using var stream = typeof(TaskSqlText).Assembly.GetManifestResourceStream(resource)
            ?? throw new InvalidOperationException($"Embedded SQL '{resource}' is missing from {typeof(TaskSqlText).Assembly.GetName().Name}.");
        using var reader = new StreamReader(stream);
        return string.Join('\n', reader.ReadToEnd().Split('\n').Where(line => !line.TrimStart().StartsWith("--", StringComparison.Ordinal)))
            .Replace("{columns}", QualifiedColumns, StringComparison.Ordinal)
            .Replace("{writers_lock_class}", EventVisibility.WritersLockClass.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);
    }
}
