using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace GridQueue.Client.Webhooks;

/// <summary>
/// Checks that a webhook request came from the GridQueue server holding the same secret (<c>Webhooks__Secret</c>), by
/// the Standard Webhooks scheme: <c>webhook-signature</c> lists one or more <c>v1,&lt;base64&gt;</c> signatures, each an
/// HMAC-SHA256 of <c>"{webhook-id}.{webhook-timestamp}.{raw body}"</c> keyed with the base64 part of the
/// <c>whsec_</c> secret; one match (compared in constant time) is enough. A timestamp further than the tolerance from
/// now is refused, so a recorded request cannot be replayed later. Verify the raw body, before parsing it: JSON read
/// and written again is not the same bytes. Redeliveries carry the same <c>webhook-id</c>: drop ids already handled.
/// </summary>
public sealed class WebhookVerifier
{
    /// <summary>The header names the server sends.</summary>
    public const string IdHeader = "webhook-id";

    /// <inheritdoc cref="IdHeader"/>
    public const string TimestampHeader = "webhook-timestamp";

    /// <inheritdoc cref="IdHeader"/>
    public const string SignatureHeader = "webhook-signature";

    /// <summary>How far a delivery's timestamp may be from the receiver's clock by default.</summary>
    public static readonly TimeSpan DefaultTolerance = TimeSpan.FromMinutes(5);

    private const string SecretPrefix = "whsec_";
    private readonly byte[] _key;
    private readonly TimeSpan _tolerance;
    private readonly TimeProvider _time;

    /// <param name="secret">The server's <c>Webhooks__Secret</c>: <c>whsec_</c> followed by the key in base64.</param>
    /// <param name="tolerance">How far the timestamp may be from now; default <see cref="DefaultTolerance"/>.</param>
    /// <param name="time">The clock; default the system's.</param>
    public WebhookVerifier(string secret, TimeSpan? tolerance = null, TimeProvider? time = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(secret);
        var encoded = secret.StartsWith(SecretPrefix, StringComparison.Ordinal) ? secret[SecretPrefix.Length..] : secret;
        try
        {
            _key = Convert.FromBase64String(encoded);
        }
        catch (FormatException e)
        {
            throw new ArgumentException("The secret must be whsec_ followed by base64, as the server's Webhooks__Secret.", nameof(secret), e);
        }

        _tolerance = tolerance ?? DefaultTolerance;
        _time = time ?? TimeProvider.System;
    }

    /// <summary>
    /// Verifies a request; <paramref name="header"/> reads a header by name (e.g. <c>name =&gt; Request.Headers[name]</c>).
    /// Throws <see cref="WebhookVerificationException"/> saying why when it does not verify.
    /// </summary>
    public void Verify(Func<string, string?> header, byte[] body)
    {
        ArgumentNullException.ThrowIfNull(header);
        Verify(header(IdHeader), header(TimestampHeader), header(SignatureHeader), body);
    }

    /// <inheritdoc cref="Verify(Func{string, string?}, byte[])"/>
    public void Verify(Func<string, string?> header, string body)
    {
        ArgumentNullException.ThrowIfNull(body);
        Verify(header, Encoding.UTF8.GetBytes(body));
    }

    /// <summary>True when the request verifies (see <see cref="Verify(string?, string?, string?, byte[])"/>).</summary>
    public bool IsValid(string? webhookId, string? webhookTimestamp, string? webhookSignature, byte[] body)
    {
        try
        {
            Verify(webhookId, webhookTimestamp, webhookSignature, body);
            return true;
        }
        catch (WebhookVerificationException)
        {
            return false;
        }
    }

    /// <summary>Verifies the three header values against the raw body; throws <see cref="WebhookVerificationException"/> when they do not match.</summary>
    public void Verify(string? webhookId, string? webhookTimestamp, string? webhookSignature, byte[] body)
    {
        ArgumentNullException.ThrowIfNull(body);
        if (string.IsNullOrEmpty(webhookId) || string.IsNullOrEmpty(webhookTimestamp) || string.IsNullOrEmpty(webhookSignature))
        {
            throw new WebhookVerificationException($"The {IdHeader}, {TimestampHeader} and {SignatureHeader} headers are all required.");
        }

        if (!long.TryParse(webhookTimestamp, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)
            || seconds > DateTimeOffset.MaxValue.ToUnixTimeSeconds())
        {
            throw new WebhookVerificationException($"{TimestampHeader} is not a Unix time in seconds.");
        }

        var age = _time.GetUtcNow() - DateTimeOffset.FromUnixTimeSeconds(seconds);
        if (age.Duration() > _tolerance)
        {
            throw new WebhookVerificationException($"{TimestampHeader} is {age.TotalSeconds:0} s from now, more than the {_tolerance.TotalSeconds:0} s allowed.");
        }

        var prefix = Encoding.UTF8.GetBytes($"{webhookId}.{webhookTimestamp}.");
        var content = new byte[prefix.Length + body.Length];
        prefix.CopyTo(content, 0);
        body.CopyTo(content, prefix.Length);
        var expected = HMACSHA256.HashData(_key, content);
        foreach (var entry in webhookSignature.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            if (entry.StartsWith("v1,", StringComparison.Ordinal) && Decode(entry[3..]) is { } signature
                && CryptographicOperations.FixedTimeEquals(signature, expected))
            {
                return;
            }
        }

        throw new WebhookVerificationException($"No v1 signature in {SignatureHeader} matches the body with this secret.");
    }

    private static byte[]? Decode(string base64)
    {
        var buffer = new byte[base64.Length];
        return Convert.TryFromBase64String(base64, buffer, out var written) ? buffer[..written] : null;
    }
}
