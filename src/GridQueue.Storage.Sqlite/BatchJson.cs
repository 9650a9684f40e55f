using System.Buffers;
using System.Text;
using System.Text.Json;
using GridQueue.Engine.Jobs;
using GridQueue.Engine.Storage;

namespace GridQueue.Storage.Sqlite;

/// <summary>
/// Batches travel to SQLite as one JSON array parameter, read back with json_each: one statement for a whole batch
/// instead of one per job (each statement costs SQLite a temporary journal and result table).
/// </summary>
internal static class BatchJson
{
    public static string Finalizations(IReadOnlyList<JobFinalization> items) => Write(writer =>
    {
        foreach (var f in items)
        {
            writer.WriteStartObject();
            writer.WriteNumber("id", f.Id);
            writer.WriteString("node", f.Node);
            writer.WriteNumber("claims", f.Claims);
            writer.WriteString("state", f.State.ToStorageName());
            writer.WriteNumber("now", JobRows.ToMs(f.Now));
            if (f.ScheduledAt is { } at)
            {
                writer.WriteNumber("scheduled_at", JobRows.ToMs(at));
            }

            if (f.Errors is { } errors)
            {
                // As a string: ->> then yields the array's JSON text, ready to store.
                writer.WriteString("errors", JobRows.WriteErrors(errors));
            }

            writer.WriteNumber("give_back", f.GiveBackAttempt ? 1 : 0);
            writer.WriteEndObject();
        }
    });

    public static string Leases(IReadOnlyList<JobLease> leases) => Write(writer =>
    {
        foreach (var lease in leases)
        {
            writer.WriteStartObject();
            writer.WriteNumber("id", lease.Id);
            writer.WriteNumber("claims", lease.Claims);
            writer.WriteEndObject();
        }
    });

    private static string Write(Action<Utf8JsonWriter> items)
    {
        var buffer = new ArrayBufferWriter<byte>(1024);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartArray();
            items(writer);
            writer.WriteEndArray();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }
}
