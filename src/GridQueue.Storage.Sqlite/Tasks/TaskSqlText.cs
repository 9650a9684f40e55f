namespace GridQueue.Storage.Sqlite.Tasks;

/// <summary>The task SQL files embedded in this assembly. "{columns}" stands for <see cref="TaskColumns"/>.</summary>
internal static class TaskSqlText
{
    /// <summary>
    /// The task columns in the order <see cref="TaskRowReader"/> reads them. Not the legacy gq_tasks.images (always
    /// '[]' since migration 004): the images are in gq_task_images, joined only where clients see them.
    /// </summary>
    public const string TaskColumns = GridQueue.Tasks.Storage.TaskRows.Columns;

    public static readonly string TaskGet = Load("task_get");
    public static readonly string TaskGetWithImages = Load("task_get_with_images");
    public static readonly string TaskInsert = Load("task_insert");
    public static readonly string TaskImagesInsert = Load("task_images_insert");
    public static readonly string TaskImagesGet = Load("task_images_get");
    public static readonly string TaskUpdate = Load("task_update");
    public static readonly string TaskUpdateProgress = Load("task_update_progress");
    public static readonly string TaskList = Load("task_list");
    public static readonly string TaskListByStatus = Load("task_list_by_status");
    public static readonly string TaskCountRunningByUser = Load("task_count_running_by_user");
    public static readonly string TaskCountRunningByProvider = Load("task_count_running_by_provider");
    public static readonly string TaskQueuedHeadsByUser = Load("task_queued_heads_by_user");
    public static readonly string TaskQueuedHeadsByProvider = Load("task_queued_heads_by_provider");
    public static readonly string TaskWaitingHeads = Load("task_waiting_heads");
    public static readonly string TaskListStuck = Load("task_list_stuck");
    public static readonly string TaskKeptKeysExist = Load("task_kept_keys_exist");
    public static readonly string TaskEraseKeptKeys = Load("task_erase_kept_keys");
    public static readonly string EventAppend = Load("event_append");
    public static readonly string EventListAfter = Load("event_list_after");
    public static readonly string EventListAfterByUser = Load("event_list_after_by_user");
    public static readonly string EventListAfterByTask = Load("event_list_after_by_task");
    public static readonly string EventLastSequence = Load("event_last_sequence");
    public static readonly string EventDeleteBefore = Load("event_delete_before");
    public static readonly string IdempotencyFind = Load("idempotency_find");
    public static readonly string IdempotencySave = Load("idempotency_save");
    public static readonly string IdempotencyDeleteBefore = Load("idempotency_delete_before");

    private static string Load(string name)
    {
        var resource = $"TaskSql.{name}.sql";
        using var stream = typeof(TaskSqlText).Assembly.GetManifestResourceStream(resource)
            ?? throw new InvalidOperationException($"Embedded SQL '{resource}' is missing from {typeof(TaskSqlText).Assembly.GetName().Name}.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd().Replace("{columns}", TaskColumns, StringComparison.Ordinal);
    }
}
