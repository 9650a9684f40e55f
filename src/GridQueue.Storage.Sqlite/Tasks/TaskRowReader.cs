using GridQueue.Tasks.Model;
using GridQueue.Tasks.Storage;
using Microsoft.Data.Sqlite;

namespace GridQueue.Storage.Sqlite.Tasks;

/// <summary>
/// The SQLite side of <see cref="TaskRows"/> (the row mapping every backend shares): typed commands and parameter
/// collections, and the running-count statement to use.
/// </summary>
internal static class TaskRowReader
{
    /// <summary>How many columns <see cref="Read"/> reads; a query may add its own after them.</summary>
    public const int ColumnCount = TaskRows.ColumnCount;

    /// <summary>Reads every row of <paramref name="command"/> as a task.</summary>
    public static Task<List<VideoTask>> ReadAllAsync(SqliteCommand command, CancellationToken cancellationToken) =>
        TaskRows.ReadAllAsync(command, cancellationToken);

    /// <summary>The running-task count for one user (when given) or one provider.</summary>
    public static string CountRunningSql(string? userId) =>
        userId is not null ? TaskSqlText.TaskCountRunningByUser : TaskSqlText.TaskCountRunningByProvider;

    /// <summary>Binds the parameter of <see cref="CountRunningSql"/>.</summary>
    public static void BindCountRunning(SqliteParameterCollection parameters, string? userId, string? provider)
    {
        if (userId is not null)
        {
            parameters.AddWithValue("@user_id", userId);
        }
        else
        {
            parameters.AddWithValue("@provider", provider ?? throw new ArgumentException("Name a user or a provider.", nameof(provider)));
        }
    }

    /// <inheritdoc cref="TaskRows.ReadWithImages"/>
    public static VideoTask ReadWithImages(SqliteDataReader r) => TaskRows.ReadWithImages(r);

    /// <inheritdoc cref="TaskRows.ParseImages"/>
    public static string[] ParseImages(string json) => TaskRows.ParseImages(json);

    /// <inheritdoc cref="TaskRows.Read"/>
    public static VideoTask Read(SqliteDataReader r) => TaskRows.Read(r);

    /// <summary>Binds every column as a parameter named after it (the images are written apart, once).</summary>
    public static void Bind(SqliteParameterCollection p, VideoTask t)
    {
        foreach (var (name, value) in TaskRows.Parameters(t))
        {
            p.AddWithValue(name, value);
        }
    }
}
