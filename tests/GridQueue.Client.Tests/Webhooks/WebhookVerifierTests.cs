using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using GridQueue.Client.Webhooks;

namespace GridQueue.Client.Tests.Webhooks;

/// <summary>The verifier against signatures computed here from the published scheme, and what it must refuse.</summary>
public sealed class WebhookVerifierTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 2, 12, 0, 0, TimeSpan.Zero);
    private static readonly byte[] Key = Enumerable.Range(1, 32).Select(i => (byte)i).ToArray();
    private static readonly string Secret = "whsec_" + Convert.ToBase64String(Key);
    private const string Id = "msg_tsk_01JD3Q8W6Z9K2M4N7P0R5S8T1V_1";
    private const string Body = "{\"type\":\"task.ended\",\"data\":{\"task_id\":\"tsk_01JD3Q8W6Z9K2M4N7P0R5S8T1V\",\"status\":\"succeeded\"}}";

    private static readonly WebhookVerifier Verifier = new(Secret, time: new FixedTime(Now));

    [Fact]
    public void Verify_SignatureComputedFromTheScheme_Passes()
    {
        var timestamp = Seconds(Now);
        Verifier.Verify(Id, timestamp, Sign(Key, Id, timestamp, Body), Encoding.UTF8.GetBytes(Body));
        Verifier.Verify(name => Headers(timestamp, Sign(Key, Id, timestamp, Body))[name], Body);
        Assert.True(Verifier.IsValid(Id, timestamp, Sign(Key, Id, timestamp, Body), Encoding.UTF8.GetBytes(Body)));
    }

    [Fact]
    public void Verify_OneMatchingSignatureAmongSeveral_Passes()
    {
        var timestamp = Seconds(Now);
        var other = Sign(RandomNumberGenerator.GetBytes(32), Id, timestamp, Body);
        Verifier.Verify(Id, timestamp, $"v2,abc {other} {Sign(Key, Id, timestamp, Body)}", Encoding.UTF8.GetBytes(Body));
    }

    [Fact]
    public void Verify_TamperedBody_WrongSecret_OrChangedId_Fail()
    {
        var timestamp = Seconds(Now);
        var signature = Sign(Key, Id, timestamp, Body);
        Assert.False(Verifier.IsValid(Id, timestamp, signature, Encoding.UTF8.GetBytes(Body.Replace("succeeded", "failed", StringComparison.Ordinal))));
        Assert.False(Verifier.IsValid(Id + "x", timestamp, signature, Encoding.UTF8.GetBytes(Body)));
        Assert.False(Verifier.IsValid(Id, timestamp, Sign(RandomNumberGenerator.GetBytes(32), Id, timestamp, Body), Encoding.UTF8.GetBytes(Body)));
        Assert.False(Verifier.IsValid(Id, timestamp, signature.Replace("v1,", "v2,", StringComparison.Ordinal), Encoding.UTF8.GetBytes(Body)));
    }

    [Theory]
    [InlineData(-301)]
    [InlineData(301)]
    public void Verify_TimestampOutsideFiveMinutes_FailsEvenWhenSigned(int offsetSeconds)
    {
        var timestamp = Seconds(Now.AddSeconds(offsetSeconds));
        var error = Assert.Throws<WebhookVerificationException>(() =>
            Verifier.Verify(Id, timestamp, Sign(Key, Id, timestamp, Body), Encoding.UTF8.GetBytes(Body)));
        Assert.Contains("webhook-timestamp", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Verify_TimestampJustInsideTolerance_Passes()
    {
        var timestamp = Seconds(Now.AddSeconds(-299));
        Verifier.Verify(Id, timestamp, Sign(Key, Id, timestamp, Body), Encoding.UTF8.GetBytes(Body));
    }

    [Theory]
    [InlineData(null, "1796212800", "v1,AAAA")]
    [InlineData(Id, null, "v1,AAAA")]
    [InlineData(Id, "1796212800", null)]
    [InlineData(Id, "not-a-number", "v1,AAAA")]
    [InlineData(Id, "1796212800", "v1,not base64!")]
    public void Verify_MissingOrMalformedHeaders_Fail(string? id, string? timestamp, string? signature) =>
        Assert.Throws<WebhookVerificationException>(() => Verifier.Verify(id, timestamp, signature, Encoding.UTF8.GetBytes(Body)));

    [Fact]
    public void Constructor_SecretNotBase64_IsRefused() =>
        Assert.Throws<ArgumentException>(() => new WebhookVerifier("whsec_%%%"));

    private static string Seconds(DateTimeOffset at) => at.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);

    /// <summary>The published scheme, written out here: v1, then base64 of HMAC-SHA256(key, "id.timestamp.body").</summary>
    private static string Sign(byte[] key, string id, string timestamp, string body) =>
        "v1," + Convert.ToBase64String(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes($"{id}.{timestamp}.{body}")));

    private static Dictionary<string, string?> Headers(string timestamp, string signature) => new()
    {
        ["webhook-id"] = Id,
        ["webhook-timestamp"] = timestamp,
        ["webhook-signature"] = signature,
    };

    private sealed class FixedTime(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
