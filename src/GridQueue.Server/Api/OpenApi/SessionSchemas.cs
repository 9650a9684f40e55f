using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Text.Json.Serialization;

namespace GridQueue.Server.Api.OpenApi;

// Bodies of the routes around the task routes (info, dev token, health), for the OpenAPI document only.

/// <summary>What a client needs before it signs in.</summary>
public sealed class ServerInfoSchema
{
    [JsonPropertyName("version"), Description("The server's build, as GridQueue.Server --version prints it.")]
    public required string Version { get; init; }

    [JsonPropertyName("auth_mode"), AllowedValues("dev", "jwt")]
    public required string AuthMode { get; init; }

    [JsonPropertyName("default_provider")]
    public required string DefaultProvider { get; init; }

    [JsonPropertyName("providers"), Description("The configured providers, sorted.")]
    public required IReadOnlyList<string> Providers { get; init; }
}

/// <summary>The body of POST /api/v1/dev/token.</summary>
public sealed class DevTokenRequestSchema
{
    [JsonPropertyName("user_id"), StringLength(DevTokenEndpoint.MaxUserIdLength, MinimumLength = 1), Description("Printable characters; becomes the token's sub.")]
    public required string UserId { get; init; }

    [JsonPropertyName("admin"), Description("True: the token carries the admin claim (Admin__ClaimType = Admin__ClaimValue), which opens /api/v1/admin.")]
    public bool? Admin { get; init; }
}

/// <summary>A dev token.</summary>
public sealed class DevTokenSchema
{
    [JsonPropertyName("token"), Description("An HS256 JWT for Authorization: Bearer.")]
    public required string Token { get; init; }
}

/// <summary>The body of /healthz and /readyz (no envelope: probes read the status code).</summary>
public sealed class HealthSchema
{
    [JsonPropertyName("status"), AllowedValues("ok", "ready", "migrations pending", "storage unavailable")]
    public required string Status { get; init; }
}
