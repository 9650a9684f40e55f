using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace GridQueue.Server.Api.OpenApi;

/// <summary>
/// Completes each operation from its endpoint metadata: the headers and query parameters the handler reads by hand,
/// the error codes behind each error status (in the description and as <c>x-error-codes</c>), response headers,
/// and the bearer requirement of every route that needs a token.
/// </summary>
internal sealed class ContractOperationTransformer : IOpenApiOperationTransformer
{
    public const string ErrorCodesExtension = "x-error-codes";

    public Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        var metadata = context.Description.ActionDescriptor.EndpointMetadata;
        foreach (var parameter in metadata.OfType<DocumentedParameter>())
        {
            operation.Parameters ??= [];
            operation.Parameters.Add(ToParameter(parameter));
        }

        foreach (var errors in metadata.OfType<DocumentedErrors>())
        {
            var response = Response(operation, errors.StatusCode);
            response.Description = $"{errors.When} Code: {string.Join(" or ", errors.Codes)}.";
            response.Extensions ??= new Dictionary<string, IOpenApiExtension>(StringComparer.Ordinal);
            response.Extensions[ErrorCodesExtension] = new JsonNodeExtension(new JsonArray([.. errors.Codes.Select(c => JsonValue.Create(c))]));
            if (errors.StatusCode is StatusCodes.Status429TooManyRequests or StatusCodes.Status503ServiceUnavailable)
            {
                AddHeader(response, "Retry-After", "Whole seconds to wait before trying again.");
            }
            else if (errors.StatusCode == StatusCodes.Status401Unauthorized)
            {
                AddHeader(response, "WWW-Authenticate", "Bearer, or Bearer error=\"invalid_token\" when a token was sent and refused.");
            }
        }

        foreach (var header in metadata.OfType<DocumentedResponseHeader>())
        {
            AddHeader(Response(operation, header.StatusCode), header.Name, header.Description);
        }

        if (metadata.OfType<IAuthorizeData>().Any() && !metadata.OfType<IAllowAnonymous>().Any())
        {
            operation.Security = [new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(ContractDocumentTransformer.BearerScheme, context.Document)] = [] }];
        }

        SortResponses(operation);
        return Task.CompletedTask;
    }

    /// <summary>Statuses in ascending order, so a reader finds 200 first whatever order the metadata came in.</summary>
    private static void SortResponses(OpenApiOperation operation)
    {
        if (operation.Responses is not { Count: > 1 } responses)
        {
            return;
        }

        var sorted = responses.OrderBy(r => r.Key, StringComparer.Ordinal).ToList();
        responses.Clear();
        foreach (var (status, response) in sorted)
        {
            responses[status] = response;
        }
    }

    private static OpenApiResponse Response(OpenApiOperation operation, int statusCode)
    {
        operation.Responses ??= [];
        var key = statusCode.ToString(CultureInfo.InvariantCulture);
        if (operation.Responses.TryGetValue(key, out var existing) && existing is OpenApiResponse response)
        {
            return response;
        }

        response = new OpenApiResponse { Description = ReasonPhrases(statusCode) };
        operation.Responses[key] = response;
        return response;
    }

    private static string ReasonPhrases(int statusCode) => Microsoft.AspNetCore.WebUtilities.ReasonPhrases.GetReasonPhrase(statusCode);

    private static void AddHeader(OpenApiResponse response, string name, string description)
    {
        response.Headers ??= new Dictionary<string, IOpenApiHeader>(StringComparer.OrdinalIgnoreCase);
        response.Headers[name] = new OpenApiHeader { Description = description, Schema = new OpenApiSchema { Type = JsonSchemaType.String } };
    }

    private static OpenApiParameter ToParameter(DocumentedParameter parameter) => new()
    {
        Name = parameter.Name,
        In = parameter.In,
        Description = parameter.Description,
        Required = false,
        Schema = new OpenApiSchema
        {
            Type = parameter.Type,
            Enum = parameter.Values?.Select(v => (JsonNode)JsonValue.Create(v)).ToList(),
            Minimum = parameter.Minimum?.ToString(CultureInfo.InvariantCulture),
            Maximum = parameter.Maximum?.ToString(CultureInfo.InvariantCulture),
        },
    };
}
