using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;

namespace GridQueue.Server.Testing;

/// <summary>A response read as raw text, so a failing assertion can show exactly what the server sent.</summary>
public sealed record RawResponse(HttpStatusCode Status, string Text, string? ContentType, HttpResponseHeaders Headers, HttpContentHeaders ContentHeaders)
{
    public override string ToString() => $"{(int)Status} {ContentType}: {Text}";
}

/// <summary>Sends requests and checks the contract's error envelope: {"success": false, "error": {"code", "message", "details"?}}.</summary>
public static class ErrorEnvelope
{
    /// <summary>Asserts the server logged no Error (a client's mistake is answered, not logged as a failure); shows each entry in full.</summary>
    public static void AssertNoErrorsLogged(this RunningServer server)
    {
        ArgumentNullException.ThrowIfNull(server);
        var errors = server.ErrorLog.Errors.ToArray();
        Assert.True(errors.Length == 0, $"The server logged {errors.Length} error(s):\n{string.Join("\n---\n", errors)}");
    }

    public static async Task<RawResponse> SendRawAsync(this HttpClient client, HttpRequestMessage request)
    {
        using var response = await client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return new RawResponse(response.StatusCode, text, response.Content.Headers.ContentType?.MediaType, response.Headers, response.Content.Headers);
    }

    /// <summary>
    /// Asserts <paramref name="response"/> is the error envelope with <paramref name="status"/> and <paramref name="code"/>,
    /// a message a person can read (no stack trace) and, for each of <paramref name="fields"/>, a message in details.
    /// </summary>
    public static JsonElement AssertError(RawResponse response, HttpStatusCode status, string code, params string[] fields)
    {
        ArgumentNullException.ThrowIfNull(response);
        ArgumentNullException.ThrowIfNull(fields);
        Assert.True((int)response.Status < 500, $"A client mistake got a server error: {response}");
        Assert.True(response.Status == status, $"Expected {(int)status}, got {response}");
        Assert.True(response.ContentType == "application/json", $"The error is not JSON: {response}");

        JsonElement root;
        try
        {
            root = JsonDocument.Parse(response.Text).RootElement.Clone();
        }
        catch (JsonException e)
        {
            throw new Xunit.Sdk.XunitException($"The error body is not valid JSON ({e.Message}): {response}");
        }

        Assert.True(root.ValueKind == JsonValueKind.Object, $"The envelope is not an object: {response}");
        Assert.True(root.TryGetProperty("success", out var success) && success.ValueKind == JsonValueKind.False, $"success is not false: {response}");
        Assert.False(root.TryGetProperty("data", out _), $"An error envelope carries data: {response}");
        Assert.True(root.TryGetProperty("error", out var error) && error.ValueKind == JsonValueKind.Object, $"No error object: {response}");
        Assert.True(error.TryGetProperty("code", out var codeElement) && codeElement.ValueKind == JsonValueKind.String, $"No error code: {response}");
        Assert.Equal(code, codeElement.GetString());
        Assert.True(error.TryGetProperty("message", out var message) && message.ValueKind == JsonValueKind.String
            && !string.IsNullOrWhiteSpace(message.GetString()), $"No message for a person: {response}");
        Assert.DoesNotContain("   at ", message.GetString(), StringComparison.Ordinal);

        if (error.TryGetProperty("details", out var details))
        {
            Assert.True(details.ValueKind == JsonValueKind.Object, $"details is not an object: {response}");
            foreach (var field in details.EnumerateObject())
            {
                Assert.True(field.Value.ValueKind == JsonValueKind.String && !string.IsNullOrWhiteSpace(field.Value.GetString()), $"details.{field.Name} has no message: {response}");
            }
        }

        foreach (var field in fields)
        {
            Assert.True(
                details.ValueKind == JsonValueKind.Object && details.TryGetProperty(field, out _),
                $"details does not name the field '{field}': {response}");
        }

        return error;
    }
}
