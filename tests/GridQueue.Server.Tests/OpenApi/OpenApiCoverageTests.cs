using GridQueue.Server.Testing;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace GridQueue.Server.Tests.OpenApi;

/// <summary>
/// Every route the running server maps is in its OpenAPI document, documented (name, summary, tag, a success body,
/// the errors its auth and rate limit can give), and the document lists nothing the server does not map. The routes
/// are read from the server's own endpoint table, so a route added without documentation fails here.
/// </summary>
public sealed class OpenApiCoverageTests
{
    /// <summary>The document's own route, the one route it does not describe.</summary>
    private const string DocumentRoute = "/openapi/{documentName}.json";

    private const string JwtSecret = "gridqueue-openapi-test-secret-0123456789-abcdefghijklmnopqrstuvwxyz";

    [Fact]
    public async Task Document_DevMode_DescribesEveryMappedRouteAndNothingElse()
    {
        await using var server = await RunningServer.StartAsync();
        var document = await ContractDocument.FetchAsync(server);

        var mapped = MappedRoutes(server);
        Assert.Contains(mapped, r => r.Path == "/api/v1/dev/token");
        AssertCovers(document, mapped);
    }

    [Fact]
    public async Task Document_JwtMode_IsServedWithoutTokenAndHasNoDevTokenRoute()
    {
        await using var server = await RunningServer.StartAsync(new Dictionary<string, string?>
        {
            ["Auth:Mode"] = "jwt",
            ["Auth:JwtSecret"] = JwtSecret,
            ["Auth:AllowDevMode"] = null,
        });
        var document = await ContractDocument.FetchAsync(server);

        var mapped = MappedRoutes(server);
        Assert.DoesNotContain(mapped, r => r.Path == "/api/v1/dev/token");
        AssertCovers(document, mapped);
    }

    private static void AssertCovers(ContractDocument document, IReadOnlyList<MappedRoute> mapped)
    {
        var documented = document.Operations().ToHashSet();
        foreach (var route in mapped)
        {
            Assert.True(documented.Contains((route.Method, route.Path)), $"{route.Method} {route.Path} is mapped but not in the OpenAPI document.");
            AssertDocumented(document, route);
        }

        var missing = documented.Except(mapped.Select(r => (r.Method, r.Path))).ToList();
        Assert.True(missing.Count == 0, $"The document lists operations the server does not map: {string.Join(", ", missing)}");
        Assert.Equal(documented.Count, mapped.Count);
    }

    private static void AssertDocumented(ContractDocument document, MappedRoute route)
    {
        var name = $"{route.Method} {route.Path}";
        var operation = document.Operation(route.Method, route.Path);
        Assert.True(operation.TryGetProperty("operationId", out _), $"{name} has no operationId (WithName).");
        Assert.True(operation.TryGetProperty("summary", out var summary) && summary.GetString() is { Length: > 0 }, $"{name} has no summary (WithSummary).");
        Assert.True(operation.TryGetProperty("tags", out var tags) && tags.GetArrayLength() > 0, $"{name} has no tag (WithTags).");

        var responses = operation.GetProperty("responses");
        Assert.True(
            responses.TryGetProperty("200", out var ok) && ok.TryGetProperty("content", out _),
            $"{name} documents no 200 body (Produces / ProducesData).");
        foreach (var response in responses.EnumerateObject().Where(r => r.Name[0] is '4' or '5' && route.Path.StartsWith("/api/", StringComparison.Ordinal)))
        {
            var schema = response.Value.GetProperty("content").GetProperty("application/json").GetProperty("schema");
            Assert.True(schema.GetProperty("$ref").GetString() == "#/components/schemas/ErrorEnvelope", $"{name} {response.Name} is not the error envelope.");
            Assert.True(response.Value.TryGetProperty("x-error-codes", out var codes) && codes.GetArrayLength() > 0, $"{name} {response.Name} names no error code.");
        }

        if (route.Path.StartsWith("/api/", StringComparison.Ordinal))
        {
            Assert.True(responses.TryGetProperty("500", out _), $"{name} does not document 500 INTERNAL.");
        }

        var secured = operation.TryGetProperty("security", out var security)
            && security.EnumerateArray().Any(s => s.TryGetProperty("bearer", out _));
        Assert.True(route.NeedsToken == secured, $"{name}: needs a token {route.NeedsToken}, documents the bearer requirement {secured}.");
        Assert.True(!route.NeedsToken || responses.TryGetProperty("401", out _), $"{name} needs a token but does not document 401.");
        Assert.True(!route.RateLimited || responses.TryGetProperty("429", out _), $"{name} is rate-limited but does not document 429.");
    }

    /// <summary>Every (method, route) of the server's endpoint table, the same table that routes its requests.</summary>
    private static List<MappedRoute> MappedRoutes(RunningServer server)
    {
        var routes = new List<MappedRoute>();
        foreach (var endpoint in server.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>())
        {
            var path = "/" + endpoint.RoutePattern.RawText!.TrimStart('/');
            if (path == DocumentRoute)
            {
                continue;
            }

            var methods = endpoint.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods;
            Assert.True(methods is { Count: > 0 }, $"{path} answers any method; the document cannot describe it.");
            var needsToken = endpoint.Metadata.GetOrderedMetadata<IAuthorizeData>().Count > 0 && endpoint.Metadata.GetMetadata<IAllowAnonymous>() is null;
            var rateLimited = endpoint.Metadata.GetMetadata<EnableRateLimitingAttribute>() is not null;
            routes.AddRange(methods.Select(m => new MappedRoute(m, path, needsToken, rateLimited)));
        }

        Assert.NotEmpty(routes);
        return routes;
    }

    private sealed record MappedRoute(string Method, string Path, bool NeedsToken, bool RateLimited);
}
