using System.ComponentModel.DataAnnotations;
using System.Text.Json;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace GridQueue.Server.Api.OpenApi;

/// <summary>
/// Turns <see cref="AllowedValuesAttribute"/> on a schema type's property into the property's <c>enum</c>: the
/// contract's fixed strings (status, aspect ratio, error code) and the envelope's constant <c>success</c>.
/// </summary>
internal sealed class AllowedValuesSchemaTransformer : IOpenApiSchemaTransformer
{
    public Task TransformAsync(OpenApiSchema schema, OpenApiSchemaTransformerContext context, CancellationToken cancellationToken)
    {
        var allowed = context.JsonPropertyInfo?.AttributeProvider?.GetCustomAttributes(typeof(AllowedValuesAttribute), inherit: true)
            .OfType<AllowedValuesAttribute>().FirstOrDefault();
        if (allowed is not null)
        {
            schema.Enum = [.. allowed.Values.Select(v => JsonSerializer.SerializeToNode(v)!)];
        }

        return Task.CompletedTask;
    }
}
