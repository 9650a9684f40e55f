using System.Text.Json;
using GridQueue.Engine.Jobs;
using Microsoft.Data.Sqlite;

namespace GridQueue.Storage.Sqlite;

/// <summary>Reads rows selected with <see cref="SqlText.JobColumns"/> into <see cref="Job"/>s.</summary>
internal static class JobRowReader
{
    public static readonly JsonSerializerOptions ErrorJson = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    public static Job Read(SqliteDataReader r) => new()
    {
        Id = r.GetInt64(0),
        Kind = r.GetString(1),
        Queue = r.GetString(2),
        Args = r.GetString(3),
        Priority = r.GetInt32(4),
        State = JobStates.Parse(r.GetString(5)),
        Attempt = r.GetInt32(6),
        MaxAttempts = r.GetInt32(7),
        ScheduledAt = UnixTime.FromMs(r.GetInt64(8)),
        CreatedAt = UnixTime.FromMs(r.GetInt64(9)),
        AttemptedAt = OptionalTime(r, 10),
        FinalizedAt = OptionalTime(r, 11),
        LeaseOwner = r.IsDBNull(12) ? null : r.GetString(12),
        LeaseExpiresAt = OptionalTime(r, 13),
        CancelRequestedAt = OptionalTime(r, 14),
        UniqueKey = r.IsDBNull(15) ? null : r.GetString(15),
        FairnessKey = r.IsDBNull(16) ? null : r.GetString(16),
        Errors = ReadErrors(r.GetString(17)),
        Claims = r.GetInt32(18),
    };

    public static async Task<List<Job>> ReadAllAsync(SqliteCommand command, CancellationToken cancellationToken)
    {
        var jobs = new List<Job>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            jobs.Add(Read(reader));
        }

        return jobs;
    }

    public static string WriteErrors(IReadOnlyList<JobError> errors) => JsonSerializer.Serialize(errors, ErrorJson);

    public static List<JobError> ReadErrors(string json) =>
        json == "[]" ? [] : JsonSerializer.Deserialize<List<JobError>>(json, ErrorJson) ?? [];

    private static DateTimeOffset? OptionalTime(SqliteDataReader r, int ordinal) =>
        r.IsDBNull(ordinal) ? null : UnixTime.FromMs(r.GetInt64(ordinal));
}
