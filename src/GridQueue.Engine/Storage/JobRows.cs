using System.Data.Common;
using System.Text.Json;
using GridQueue.Engine.Jobs;

namespace GridQueue.Engine.Storage;

/// <summary>
/// The job row as every SQL backend stores it, read back into <see cref="Job"/>s: the same columns in the same order,
/// times as Unix milliseconds (UTC; compact, indexable, ordered like the times, the same precision everywhere), and
/// the error list as JSON text with snake_case names. Backends select <see cref="Columns"/> and hand the reader here.
/// </summary>
public static class JobRows
{
    /// <summary>The job columns in the order <see cref="Read"/> reads them.</summary>
    public const string Columns =
        "id, kind, queue, args, priority, state, attempt, max_attempts, scheduled_at, created_at, attempted_at, " +
        "finalized_at, lease_owner, lease_expires_at, cancel_requested_at, unique_key, fairness_key, errors, claims";

    private static readonly JsonSerializerOptions ErrorJson = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    public static Job Read(DbDataReader r)
    {
        ArgumentNullException.ThrowIfNull(r);
        return new()
        {
            Id = r.GetInt64(0),
            Kind = r.GetString(1),
            Queue = r.GetString(2),
            Args = r.GetString(3),
            Priority = r.GetInt32(4),
            State = JobStates.Parse(r.GetString(5)),
            Attempt = r.GetInt32(6),
            MaxAttempts = r.GetInt32(7),
            ScheduledAt = FromMs(r.GetInt64(8)),
            CreatedAt = FromMs(r.GetInt64(9)),
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
    }

    /// <summary>Runs the command and reads every row it returns.</summary>
    public static async Task<List<Job>> ReadAllAsync(DbCommand command, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        var jobs = new List<Job>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            jobs.Add(Read(reader));
        }

        return jobs;
    }

    /// <summary>Synchronous twin of <see cref="ReadAllAsync"/>, for writers that run inside a synchronous transaction.</summary>
    public static List<Job> ReadAll(DbCommand command)
    {
        ArgumentNullException.ThrowIfNull(command);
        var jobs = new List<Job>();
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            jobs.Add(Read(reader));
        }

        return jobs;
    }

    public static long ToMs(DateTimeOffset value) => value.ToUnixTimeMilliseconds();

    public static DateTimeOffset FromMs(long ms) => DateTimeOffset.FromUnixTimeMilliseconds(ms);

    public static string WriteErrors(IReadOnlyList<JobError> errors) => JsonSerializer.Serialize(errors, ErrorJson);

    public static List<JobError> ReadErrors(string json) =>
        json == "[]" ? [] : JsonSerializer.Deserialize<List<JobError>>(json, ErrorJson) ?? [];

    private static DateTimeOffset? OptionalTime(DbDataReader r, int ordinal) =>
        r.IsDBNull(ordinal) ? null : FromMs(r.GetInt64(ordinal));
}
