using System.Text.Json;
using System.Text.Json.Nodes;

namespace GridQueue.Server.Tests.OpenApi;

/// <summary>
/// The checker the OpenAPI tests rely on rejects bodies that do not fit, against the server's real document: a
/// checker that passed everything would make those tests pass for nothing.
/// </summary>
public sealed class SchemaCheckerTests(OpenApiServersFixture fixture) : IClassFixture<OpenApiServersFixture>
{
    /// <summary>The contract's example task, as api.md shows it.</summary>
    private const string ContractTask = """
        {
          "task_id": "tsk_01JD3Q8W6Z9K2M4N7P0R5S8T1V", "user_id": "alice", "provider": "simulator", "model": "sora-2",
          "prompt": "a red kite over the sea", "aspect_ratio": "16:9", "duration": 10, "hd": false, "images": [],
          "status": "running", "progress": 40, "video_url": null, "error_message": null, "attempt": 1,
          "upstream_task_id": "f0aa213c-1", "created_at": "2026-11-28T09:00:00.000Z",
          "updated_at": "2026-11-28T09:00:41.120Z", "completed_at": null
        }
        """;

    private readonly ContractDocument _document = fixture.Document;

    [Fact]
    public void Check_ContractExampleTask_Fits()
    {
        Assert.Empty(Check("TaskEnvelope", Envelope(JsonNode.Parse(ContractTask)!)));
    }

    [Theory]
    [InlineData("status", null, "required property 'status' is missing")]
    [InlineData("status", "\"done\"", "is not one of")]
    [InlineData("progress", "\"40\"", "expected integer")]
    [InlineData("progress", "101", "above the maximum")]
    [InlineData("progress", "40.5", "expected integer")]
    [InlineData("task_id", "null", "expected string")]
    [InlineData("images", "[1]", "$.data.images[0]: expected string")]
    [InlineData("created_at", "\"yesterday\"", "is not a date-time")]
    [InlineData("surprise", "true", "does not document this property")]
    public void Check_TaskWithOneFieldWrong_IsRejectedNamingIt(string field, string? value, string expected)
    {
        var task = JsonNode.Parse(ContractTask)!.AsObject();
        task.Remove(field);
        if (value is not null)
        {
            task[field] = JsonNode.Parse(value);
        }

        var errors = Check("TaskEnvelope", Envelope(task));

        Assert.Contains(errors, e => e.Contains(expected, StringComparison.Ordinal) && e.Contains(field, StringComparison.Ordinal));
    }

    [Fact]
    public void Check_ErrorEnvelope_RejectsAMissingMessageAnUnknownCodeAndSuccessTrue()
    {
        Assert.Empty(Check("ErrorEnvelope", JsonNode.Parse("""{"success": false, "error": {"code": "NOT_FOUND", "message": "No such task."}}""")!));
        Assert.Empty(Check("ErrorEnvelope", JsonNode.Parse("""{"success": false, "error": {"code": "VALIDATION_ERROR", "message": "m", "details": {"prompt": "required"}}}""")!));

        Assert.Contains(Check("ErrorEnvelope", JsonNode.Parse("""{"success": false, "error": {"code": "NOT_FOUND"}}""")!), e => e.Contains("'message' is missing", StringComparison.Ordinal));
        Assert.Contains(Check("ErrorEnvelope", JsonNode.Parse("""{"success": false, "error": {"code": "OOPS", "message": "m"}}""")!), e => e.Contains("$.error.code", StringComparison.Ordinal));
        Assert.Contains(Check("ErrorEnvelope", JsonNode.Parse("""{"success": true, "error": {"code": "NOT_FOUND", "message": "m"}}""")!), e => e.Contains("$.success", StringComparison.Ordinal));
        Assert.Contains(Check("ErrorEnvelope", JsonNode.Parse("""{"success": false, "error": {"code": "VALIDATION_ERROR", "message": "m", "details": {"prompt": 1}}}""")!), e => e.Contains("$.error.details.prompt", StringComparison.Ordinal));
    }

    [Fact]
    public void Check_SuccessEnvelopeAroundTheWrongPayload_IsRejected()
    {
        var page = JsonNode.Parse("""{"success": true, "data": {"items": [], "next_cursor": null}}""")!;
        Assert.Empty(Check("TaskPageEnvelope", page));
        Assert.NotEmpty(Check("TaskEnvelope", page));
        Assert.Contains(Check("TaskPageEnvelope", JsonNode.Parse("""{"success": true, "data": {"items": []}}""")!), e => e.Contains("next_cursor", StringComparison.Ordinal));
    }

    private static JsonNode Envelope(JsonNode data) => new JsonObject { ["success"] = true, ["data"] = data };

    private IReadOnlyList<string> Check(string schema, JsonNode value) =>
        _document.Checker.Check(_document.Schema(schema), JsonDocument.Parse(value.ToJsonString()).RootElement);
}
