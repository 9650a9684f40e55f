using System.Security.Cryptography;
using System.Text;

namespace GridQueue.Tasks.Webhooks;

/// <summary>
/// Signs a delivery the Standard Webhooks way: HMAC-SHA256 over "id.timestamp.body" with the secret's key, sent as
/// <c>v1,&lt;base64&gt;</c> in the <c>webhook-signature</c> header. Receivers verify with any Standard Webhooks
/// library, or the GridQueue.Client verifier.
/// </summary>
public static class WebhookSignature
{
    public const string IdHeader = "webhook-id";
    public const string TimestampHeader = "webhook-timestamp";
    public const string SignatureHeader = "webhook-signature";

    /// <summary>The header value for one delivery; <paramref name="timestamp"/> is Unix seconds.</summary>
    public static string Sign(byte[] key, string webhookId, long timestamp, string body)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(webhookId);
        ArgumentNullException.ThrowIfNull(body);
        var signed = Encoding.UTF8.GetBytes($"{webhookId}.{timestamp.ToString(System.Globalization.CultureInfo.InvariantCulture)}.{body}");
        return "v1," + Convert.ToBase64String(HMACSHA256.HashData(key, signed));
    }
}
