using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.OpenApi;

namespace GridQueue.Server.Api.OpenApi;

/// <summary>
/// The OpenAPI document of the HTTP contract, generated at run time from the routes' metadata and served without
/// a token at <see cref="DocumentPath"/>; the reference page (wwwroot/reference) renders it.
/// </summary>
public static class OpenApiSetup
{
    public const string DocumentName = "v1";
    public const string DocumentPath = "/openapi/v1.json";

    public static IServiceCollection AddGridQueueOpenApi(this IServiceCollection services) =>
        services.AddOpenApi(DocumentName, options =>
        {
            options.CreateSchemaReferenceId = SchemaId;
            options.AddDocumentTransformer<ContractDocumentTransformer>();
            options.AddOperationTransformer<ContractOperationTransformer>();
            options.AddSchemaTransformer<AllowedValuesSchemaTransformer>();
        });

    public static WebApplication MapGridQueueOpenApi(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.MapOpenApi("/openapi/{documentName}.json").AllowAnonymous();
        return app;
    }

    /// <summary>Component names without the C# suffix: Task, TaskEnvelope, ErrorEnvelope, ...</summary>
    private static string? SchemaId(JsonTypeInfo type)
    {
        if (type.Type.IsGenericType && type.Type.GetGenericTypeDefinition() == typeof(Envelope<>))
        {
            return WithoutSuffix(type.Type.GetGenericArguments()[0].Name) + "Envelope";
        }

        return OpenApiOptions.CreateDefaultSchemaReferenceId(type) is { } id ? WithoutSuffix(id) : null;
    }

    private static string WithoutSuffix(string name) => name.EndsWith("Schema", StringComparison.Ordinal) ? name[..^"Schema".Length] : name;
}
