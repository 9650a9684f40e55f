namespace GridQueue.Client;

/// <summary>Headers of a generate request.</summary>
public sealed record GenerateOptions
{
    /// <summary>
    /// Sent as <c>Idempotency-Key</c> (1–255 characters): the same key again within 24 h returns the first task and
    /// makes no second one, so a generate can be retried safely after a lost answer.
    /// </summary>
    public string? IdempotencyKey { get; init; }

    /// <summary>Sent as <c>X-User-Api-Key</c>: the user's own upstream key for this task; the server never returns it.</summary>
    public string? UserApiKey { get; init; }

    /// <inheritdoc />
    public override string ToString() =>
        $"GenerateOptions {{ IdempotencyKey = {IdempotencyKey}, UserApiKey = {(UserApiKey is null ? "null" : "***")} }}";
}
