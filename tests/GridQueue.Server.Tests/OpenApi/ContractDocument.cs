using System.Globalization;
using System.Net;
using System.Text.Json;
using GridQueue.Server.Testing;

namespace GridQueue.Server.Tests.OpenApi;

/// <summary>The server's OpenAPI document as it serves it, with look-ups of operations and their responses.</summary>
public sealed class ContractDocument
{
    public const string Path = "openapi/v1.json";

    private ContractDocument(JsonElement root)
    {
        Root = root;
        Checker = new SchemaChecker(root);
    }

    public JsonElement Root { get; }

    public SchemaChecker Checker { get; }

    /// <summary>Fetches the document without a token, as any client would.</summary>
    public static async Task<ContractDocument> FetchAsync(RunningServer server)
    {
        ArgumentNullException.ThrowIfNull(server);
        using var client = server.CreateClient();
        using var response = await client.GetAsync(Path);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{Path} answered {(int)response.StatusCode}: {text}");
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        return new ContractDocument(JsonDocument.Parse(text).RootElement.Clone());
    }

    /// <summary>The (method, path template) of every operation in the document, e.g. ("GET", "/api/v1/video/tasks").</summary>
    public IEnumerable<(string Method, string Path)> Operations() =>
        Root.GetProperty("paths").EnumerateObject()
            .SelectMany(path => path.Value.EnumerateObject().Select(op => (op.Name.ToUpperInvariant(), path.Name)));

    public JsonElement Operation(string method, string path)
    {
        Assert.True(Root.GetProperty("paths").TryGetProperty(path, out var item), $"The document has no path {path}.");
        Assert.True(item.TryGetProperty(method.ToLowerInvariant(), out var operation), $"The document has no {method} {path}.");
        return operation;
    }

    public JsonElement Response(string method, string path, HttpStatusCode status)
    {
        var responses = Operation(method, path).GetProperty("responses");
        var key = ((int)status).ToString(CultureInfo.InvariantCulture);
        Assert.True(
            responses.TryGetProperty(key, out var response),
            $"{method} {path} answered {key}, which its documented responses ({string.Join(", ", responses.EnumerateObject().Select(r => r.Name))}) do not list.");
        return response;
    }

    /// <summary>
    /// Asserts <paramref name="actual"/> is a documented answer of the operation: its status is listed, its content
    /// type and body fit the schema documented for that status, and an error's code is one that status lists.
    /// </summary>
    public void AssertDocuments(string method, string path, RawResponse actual)
    {
        ArgumentNullException.ThrowIfNull(actual);
        var response = Response(method, path, actual.Status);
        if (!response.TryGetProperty("content", out var content))
        {
            Assert.True(actual.Text.Length == 0, $"{method} {path} {(int)actual.Status} is documented without a body, but one came: {actual}");
            return;
        }

        var media = default(JsonElement);
        Assert.True(
            actual.ContentType is not null && content.TryGetProperty(actual.ContentType, out media),
            $"{method} {path} {(int)actual.Status} came as {actual.ContentType}, which is not documented: {content.GetRawText()}");
        var body = JsonDocument.Parse(actual.Text).RootElement;
        var errors = Checker.Check(media.GetProperty("schema"), body);
        Assert.True(errors.Count == 0, $"{method} {path} {(int)actual.Status} does not fit its documented schema:\n{string.Join("\n", errors)}\nbody: {actual.Text}");

        if (response.TryGetProperty("x-error-codes", out var codes))
        {
            var code = body.GetProperty("error").GetProperty("code").GetString();
            Assert.True(
                codes.EnumerateArray().Any(c => c.GetString() == code),
                $"{method} {path} {(int)actual.Status} carried {code}, which is not among its documented codes {codes.GetRawText()}");
        }
    }

    /// <summary>A component schema by name (Task, ErrorEnvelope, ...).</summary>
    public JsonElement Schema(string name)
    {
        Assert.True(Root.GetProperty("components").GetProperty("schemas").TryGetProperty(name, out var schema), $"The document has no schema {name}.");
        return schema;
    }
}
