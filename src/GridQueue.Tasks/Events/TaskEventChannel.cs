namespace GridQueue.Tasks.Events;

/// <summary>
/// The notification channel on which a store that several nodes share announces committed task events (see
/// <see cref="Engine.Storage.IStoreNotifications"/>); the payload is not used, the hub reads the log after its cursor.
/// </summary>
public static class TaskEventChannel
{
    public const string Name = "gq_task_events";
}
