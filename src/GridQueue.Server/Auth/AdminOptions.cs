namespace GridQueue.Server.Auth;

/// <summary>
/// Who is an admin (configuration section "Admin"): a signed-in user whose token carries the admin claim
/// (<see cref="ClaimType"/> = <see cref="ClaimValue"/>), or whose user id <see cref="UserIds"/> names.
/// </summary>
public sealed class AdminOptions
{
    public const string SectionName = "Admin";
    public const string DefaultClaimType = "role";
    public const string DefaultClaimValue = "admin";

    /// <summary>User ids (token "sub") that are admins, comma-separated; unset: none by id.</summary>
    public string? UserIds { get; set; }

    /// <summary>The claim that makes a token an admin's. Empty turns admin-by-claim off (then only <see cref="UserIds"/> count).</summary>
    public string ClaimType { get; set; } = DefaultClaimType;

    /// <summary>The value <see cref="ClaimType"/> must have (one of its values, when the claim is a list).</summary>
    public string ClaimValue { get; set; } = DefaultClaimValue;

    /// <summary>The configured admin user ids, trimmed.</summary>
    public IReadOnlySet<string> UserIdSet() =>
        (UserIds ?? string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToHashSet(StringComparer.Ordinal);
}
