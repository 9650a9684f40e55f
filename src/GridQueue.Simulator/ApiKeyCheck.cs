using System.Security.Cryptography;
using System.Text;

namespace GridQueue.Simulator;

/// <summary>
/// Accepts <c>Authorization: Bearer &lt;key&gt;</c> with the main key or an extra one. The comparison takes the same
/// time whatever the key, as a real upstream's would; a provider under test should never depend on timing here.
/// </summary>
internal sealed class ApiKeyCheck
{
    private const string Scheme = "Bearer ";
    private readonly byte[][] keys;

    public ApiKeyCheck(SimulatorOptions options)
    {
        keys = [.. new[] { options.ApiKey }.Concat(options.ExtraApiKeys).Select(Encoding.UTF8.GetBytes)];
    }

    /// <summary>Null when the request may pass; otherwise the message of the 401.</summary>
    public string? Reject(HttpRequest request)
    {
        string? header = request.Headers.Authorization;
        if (string.IsNullOrEmpty(header))
        {
            return "missing Authorization header; send Authorization: Bearer <key>";
        }

        if (!header.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase))
        {
            return "the Authorization header must use the Bearer scheme";
        }

        var offered = Encoding.UTF8.GetBytes(header[Scheme.Length..].Trim());
        var accepted = false;
        foreach (var key in keys)
        {
            accepted |= CryptographicOperations.FixedTimeEquals(offered, key);
        }

        return accepted ? null : "invalid API key";
    }
}
