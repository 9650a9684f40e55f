using Microsoft.Data.Sqlite;

namespace GridQueue.Server.Testing;

/// <summary>One task row as the SQLite file holds it, including the submit state the HTTP API does not show.</summary>
public sealed record StoredTask(string Id, string Status, string SubmitState, string? UpstreamTaskId, string? ErrorMessage)
{
    public bool IsTerminal => Status is "succeeded" or "failed" or "cancelled";
}

/// <summary>
/// Reads the task table straight from a server's SQLite file, for a test that must know exactly what a killed
/// server left behind (which submits were in flight). Only for a file no server is using at that moment.
/// </summary>
public static class StoredTasks
{
    public static async Task<Dictionary<string, StoredTask>> ReadAsync(string databaseFile)
    {
        // No pooling: the connection is really closed afterwards, before the next server opens the file.
        var connectionString = new SqliteConnectionStringBuilder { DataSource = databaseFile, Pooling = false }.ToString();
        await using var connection = new SqliteConnection(connectionString);
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT id, status, submit_state, upstream_task_id, error_message FROM gq_tasks";
        await using var reader = await command.ExecuteReaderAsync();
        var tasks = new Dictionary<string, StoredTask>(StringComparer.Ordinal);
        while (await reader.ReadAsync())
        {
            var task = new StoredTask(
                reader.GetString(0),
                reader.GetString(1),
                reader.GetString(2),
                reader.IsDBNull(3) ? null : reader.GetString(3),
                reader.IsDBNull(4) ? null : reader.GetString(4));
            tasks.Add(task.Id, task);
        }

        return tasks;
    }
}
