using Microsoft.AspNetCore.DataProtection;

namespace GridQueue.Tasks.Secrets;

/// <summary>
/// Encrypts users' upstream keys for storage with ASP.NET Core Data Protection (authenticated encryption with
/// rotating keys kept by the host). The purpose string isolates these payloads from any other use of the keys.
/// </summary>
public sealed class ApiKeyProtector(IDataProtectionProvider provider)
{
    private readonly IDataProtector _protector = provider.CreateProtector("GridQueue.Tasks.UserApiKey.v1");

    public string Protect(string apiKey) => _protector.Protect(apiKey);

    /// <summary>The key, or null when none was stored.</summary>
    public string? Unprotect(string? protectedKey) => protectedKey is null ? null : _protector.Unprotect(protectedKey);
}
