using System.Security.Cryptography;
using Microsoft.AspNetCore.DataProtection;

namespace GridQueue.Tasks.Callbacks;

/// <summary>
/// The unguessable part of a callback URL. A token is the provider, task id and attempt sealed with ASP.NET Core Data
/// Protection (authenticated encryption under the server's key ring, the ring users' upstream keys are kept under):
/// nothing is stored per task, every node sharing the ring can check a token any node made, and a token of one task
/// (or of an earlier attempt of it) never opens another. The payload is base64url, safe in a URL path.
/// </summary>
public sealed class CallbackTokens(IDataProtectionProvider provider)
{
    // A purpose of its own: a sealed user key can never pass as a token, nor a token as a sealed key.
    private readonly IDataProtector _protector = provider.CreateProtector("GridQueue.Tasks.UpstreamCallback.v1");

    public string Make(string provider, string taskId, int attempt) =>
        _protector.Protect(Payload(provider, taskId, attempt));

    /// <summary>
    /// The attempt <paramref name="token"/> was made for, when it was made by this server's key ring for this
    /// provider and task; null for anything else (forged, altered, another task's, another provider's).
    /// </summary>
    public int? AttemptOf(string provider, string taskId, string token)
    {
        string payload;
        try
        {
            payload = _protector.Unprotect(token);
        }
        catch (CryptographicException)
        {
            return null; // not ours, altered, or made under a key since revoked: a forged token, answered like one
        }
        catch (FormatException)
        {
            return null; // not base64url at all
        }

        var prefix = string.Concat(provider, "\n", taskId, "\n");
        return payload.StartsWith(prefix, StringComparison.Ordinal)
            && int.TryParse(payload.AsSpan(prefix.Length), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var attempt)
            ? attempt
            : null;
    }

    // Newlines cannot occur in a provider name or a task id, so the fields cannot run into each other.
    private static string Payload(string provider, string taskId, int attempt) =>
        string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{provider}\n{taskId}\n{attempt}");
}
