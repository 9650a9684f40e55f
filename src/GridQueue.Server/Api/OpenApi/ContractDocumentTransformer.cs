using GridQueue.Server.Hosting;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace GridQueue.Server.Api.OpenApi;

/// <summary>The document's title and version, the bearer scheme and the tags' descriptions.</summary>
internal sealed class ContractDocumentTransformer : IOpenApiDocumentTransformer
{
    public const string BearerScheme = "bearer";

    private static readonly (string Name, string Description)[] Tags =
    [
        (EndpointTags.Tasks, "Generate, read, list, cancel and retry video tasks."),
        (EndpointTags.Events, "Live task changes as Server-Sent Events, resumable with Last-Event-ID."),
        (EndpointTags.Server, "What a client needs before it signs in, and dev-mode tokens."),
        (EndpointTags.Health, "Probes for load balancers and service managers (no envelope)."),
        (EndpointTags.Admin, "The admin console: job counts, dead letters, redrive and purge, tasks across users, usage, the audit log. Admins only (403 FORBIDDEN otherwise)."),
    ];

    public Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        document.Info = new OpenApiInfo
        {
            Title = "GridQueue API",
            Version = ServerVersion.Informational,
            Description = "The HTTP contract v1 of a GridQueue server: every /api/v1 JSON answer is "
                + "{\"success\": true, \"data\": ...} or {\"success\": false, \"error\": {\"code\", \"message\", \"details\"?}}. "
                + "Field names are snake_case; timestamps are ISO 8601 in UTC with Z.",
        };
        document.Components ??= new OpenApiComponents();
        document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>(StringComparer.Ordinal);
        document.Components.SecuritySchemes[BearerScheme] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.Http,
            Scheme = "bearer",
            BearerFormat = "JWT",
            Description = "A user token: HS256 with Auth__JwtSecret, or ES256/RS256 from Auth__JwksUrl / Auth__Authority; "
                + "the user id is its sub claim. In dev mode POST /api/v1/dev/token issues one.",
        };
        document.Tags = new HashSet<OpenApiTag>(Tags.Select(t => new OpenApiTag { Name = t.Name, Description = t.Description }));
        return Task.CompletedTask;
    }
}

/// <summary>The groups the reference lists routes under.</summary>
public static class EndpointTags
{
    public const string Tasks = "Tasks";
    public const string Events = "Events";
    public const string Server = "Server";
    public const string Health = "Health";
    public const string Admin = "Admin";
}
