namespace GridQueue.Client;

/// <summary>The body of <c>POST /api/v1/video/generate</c>. Null members are left out, so the server's defaults apply.</summary>
public sealed record GenerateRequest
{
    /// <summary>Required; 1–4000 characters after trimming.</summary>
    public required string Prompt { get; init; }

    /// <summary>Required; 1–100 characters, e.g. <c>sora-2</c>.</summary>
    public required string Model { get; init; }

    /// <summary>A configured provider; null for the server's default.</summary>
    public string? Provider { get; init; }

    /// <summary><c>16:9</c> (the server's default), <c>9:16</c> or <c>1:1</c>.</summary>
    public string? AspectRatio { get; init; }

    /// <summary>Seconds, 1–60; the server's default is 10.</summary>
    public int? Duration { get; init; }

    /// <summary>HD video; the server's default is false.</summary>
    public bool? Hd { get; init; }

    /// <summary>At most 4 reference images, each an http(s) URL or a <c>data:image/…</c> URI.</summary>
    public IReadOnlyList<string>? Images { get; init; }

    /// <summary>
    /// Where the server POSTs the task, signed, when it ends (an https URL; the server needs <c>Webhooks__Secret</c>).
    /// Verify deliveries with <see cref="Webhooks.WebhookVerifier"/>.
    /// </summary>
    public string? CallbackUrl { get; init; }
}
