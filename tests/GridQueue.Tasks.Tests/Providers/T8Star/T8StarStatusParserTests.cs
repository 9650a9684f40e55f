using GridQueue.Tasks.Providers;
using GridQueue.Tasks.Providers.T8Star;
using Xunit;

namespace GridQueue.Tasks.Tests.Providers.T8Star;

public sealed class T8StarStatusParserTests
{
    private const string ReferenceExample = """
        {"task_id":"veo3:1756693796-YQVHH4A3Lg","platform":"google","action":"google-videos",
         "status":"SUCCESS","fail_reason":"","submit_time":1756693797,"start_time":1756693808,
         "finish_time":1756693898,"progress":"100%","data":{"output":"https://cdn.example/video.mp4"}}
        """;

    [Fact]
    public void Parse_ReferenceExample_SucceededWithUrl()
    {
        var status = T8StarStatusParser.Parse(ReferenceExample);

        Assert.Equal(new ProviderStatus(UpstreamState.Succeeded, 100, "https://cdn.example/video.mp4", null), status);
    }

    [Theory]
    [InlineData("SUCCESS", UpstreamState.Succeeded)]
    [InlineData("success", UpstreamState.Succeeded)]
    [InlineData("Success", UpstreamState.Succeeded)]
    [InlineData("FAILURE", UpstreamState.Failed)]
    [InlineData("failure", UpstreamState.Failed)]
    [InlineData("IN_PROGRESS", UpstreamState.Running)]
    [InlineData("in_progress", UpstreamState.Running)]
    [InlineData(" in_progress ", UpstreamState.Running)]
    [InlineData("NOT_START", UpstreamState.Pending)]
    [InlineData("not_start", UpstreamState.Pending)]
    [InlineData("SUBMITTED", UpstreamState.Pending)]
    [InlineData("queued", UpstreamState.Pending)]
    [InlineData("UNKNOWN", UpstreamState.Pending)]
    [InlineData("", UpstreamState.Pending)]
    [InlineData("SOMETHING_NEW", UpstreamState.Pending)]
    public void Parse_StatusInAnyCase_MapsState(string status, UpstreamState expected)
    {
        var json = $$"""{"status":"{{status}}","progress":"50%","data":{"output":"https://cdn.example/v.mp4"},"fail_reason":"boom"}""";

        Assert.Equal(expected, T8StarStatusParser.Parse(json).State);
    }

    [Theory]
    [InlineData("\"45%\"", 45)]
    [InlineData("\" 45 % \"", 45)]
    [InlineData("45", 45)]
    [InlineData("45.6", 45)]
    [InlineData("\"45\"", 45)]
    [InlineData("\"45.6%\"", 45)]
    [InlineData("0", 0)]
    [InlineData("-5", 0)]
    [InlineData("\"-5%\"", 0)]
    [InlineData("150", 100)]
    [InlineData("\"250%\"", 100)]
    [InlineData("1e400", 0)]
    [InlineData("\"NaN\"", 0)]
    [InlineData("\"Infinity\"", 0)]
    [InlineData("\"abc\"", 0)]
    [InlineData("\"\"", 0)]
    [InlineData("null", 0)]
    [InlineData("true", 0)]
    [InlineData("[45]", 0)]
    [InlineData("{\"value\":45}", 0)]
    public void Parse_ProgressInAnyForm_ReadsClampedPercent(string progress, int expected)
    {
        var json = $$"""{"status":"IN_PROGRESS","progress":{{progress}}}""";

        Assert.Equal(expected, T8StarStatusParser.Parse(json).Progress);
    }

    [Fact]
    public void Parse_NoProgress_Zero()
    {
        Assert.Equal(new ProviderStatus(UpstreamState.Running, 0, null, null), T8StarStatusParser.Parse("""{"status":"IN_PROGRESS"}"""));
    }

    [Fact]
    public void Parse_SuccessWithoutProgress_Hundred()
    {
        var status = T8StarStatusParser.Parse("""{"status":"SUCCESS","data":{"output":"https://cdn.example/v.mp4"}}""");

        Assert.Equal(100, status.Progress);
    }

    [Theory]
    [InlineData("""{"status":"SUCCESS","progress":"100%"}""")]
    [InlineData("""{"status":"SUCCESS","progress":"100%","data":null}""")]
    [InlineData("""{"status":"SUCCESS","progress":"100%","data":{}}""")]
    [InlineData("""{"status":"SUCCESS","progress":"100%","data":{"output":""}}""")]
    [InlineData("""{"status":"SUCCESS","progress":"100%","data":{"output":"   "}}""")]
    [InlineData("""{"status":"SUCCESS","progress":"100%","data":{"output":null,"outputs":[]}}""")]
    [InlineData("""{"status":"SUCCESS","progress":"100%","data":{"output":42}}""")]
    [InlineData("""{"status":"SUCCESS","progress":"100%","data":"https://cdn.example/v.mp4"}""")]
    public void Parse_SuccessWithoutOutput_FailedWithReason(string json)
    {
        var status = T8StarStatusParser.Parse(json);

        Assert.Equal(UpstreamState.Failed, status.State);
        Assert.Null(status.VideoUrl);
        Assert.Equal("the provider reported success without a video URL", status.FailReason);
    }

    [Fact]
    public void Parse_OutputsArrayOnly_FirstUsableUrl()
    {
        var json = """{"status":"SUCCESS","data":{"outputs":[null, "", 7, "https://cdn.example/a.mp4", "https://cdn.example/b.mp4"]}}""";

        var status = T8StarStatusParser.Parse(json);

        Assert.Equal(new ProviderStatus(UpstreamState.Succeeded, 100, "https://cdn.example/a.mp4", null), status);
    }

    [Fact]
    public void Parse_OutputAndOutputs_OutputWins()
    {
        var json = """{"status":"SUCCESS","data":{"output":"https://cdn.example/main.mp4","outputs":["https://cdn.example/other.mp4"]}}""";

        Assert.Equal("https://cdn.example/main.mp4", T8StarStatusParser.Parse(json).VideoUrl);
    }

    [Fact]
    public void Parse_Failure_KeepsReasonAndProgress()
    {
        var json = """{"status":"FAILURE","fail_reason":"content policy violation","progress":"93%","data":null}""";

        Assert.Equal(new ProviderStatus(UpstreamState.Failed, 93, null, "content policy violation"), T8StarStatusParser.Parse(json));
    }

    [Theory]
    [InlineData("""{"status":"FAILURE"}""")]
    [InlineData("""{"status":"FAILURE","fail_reason":""}""")]
    [InlineData("""{"status":"FAILURE","fail_reason":null}""")]
    [InlineData("""{"status":"FAILURE","fail_reason":12}""")]
    [InlineData("""{"status":"FAILURE","fail_reason":{"why":"x"}}""")]
    public void Parse_FailureWithoutReason_DefaultReason(string json)
    {
        var status = T8StarStatusParser.Parse(json);

        Assert.Equal(UpstreamState.Failed, status.State);
        Assert.Equal("the provider reported a failure without a reason", status.FailReason);
    }

    [Theory]
    [InlineData("""{"status":"FAILURE","error":"quota exhausted"}""", "quota exhausted")]
    [InlineData("""{"status":"FAILURE","error":{"message":"quota exhausted"}}""", "quota exhausted")]
    public void Parse_FailureWithErrorInsteadOfFailReason_UsesError(string json, string expected)
    {
        Assert.Equal(expected, T8StarStatusParser.Parse(json).FailReason);
    }

    [Fact]
    public void Parse_VeryLongFailReason_Truncated()
    {
        var json = $$"""{"status":"FAILURE","fail_reason":"{{new string('x', 5000)}}"}""";

        var reason = T8StarStatusParser.Parse(json).FailReason!;

        Assert.Equal(T8StarStatusParser.MaxReasonLength + 1, reason.Length);
        Assert.EndsWith("…", reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_AnswerWrappedInData_ReadsInnerTask()
    {
        var json = """{"code":"success","message":"","data":{"task_id":"t1","status":"SUCCESS","progress":"100%","data":{"output":"https://cdn.example/v.mp4"}}}""";

        Assert.Equal(new ProviderStatus(UpstreamState.Succeeded, 100, "https://cdn.example/v.mp4", null), T8StarStatusParser.Parse(json));
    }

    [Theory]
    [InlineData("{}")]
    [InlineData("""{"status":42}""")]
    [InlineData("""{"status":null}""")]
    [InlineData("""{"status":true}""")]
    [InlineData("""{"status":["SUCCESS"]}""")]
    [InlineData("""{"status":{"value":"SUCCESS"}}""")]
    [InlineData("""{"status":"IN_PROGRESS","data":[1,2,3]}""")]
    [InlineData("""{"status":"IN_PROGRESS","data":"text"}""")]
    [InlineData("""{"status":"SUCCESS","data":[{"output":"https://cdn.example/v.mp4"}]}""")]
    [InlineData("""{"status":"SUCCESS","data":{"outputs":"https://cdn.example/v.mp4"}}""")]
    [InlineData("""{"status":"SUCCESS","data":{"outputs":{"0":"x"}}}""")]
    [InlineData("""{"status":"SUCCESS","data":{"outputs":[[], {}, null]}}""")]
    [InlineData("""{"data":"x"}""")]
    [InlineData("""{"data":{"status":5}}""")]
    [InlineData("""{"status":"FAILURE","error":null}""")]
    [InlineData("""{"status":"FAILURE","error":{"message":7}}""")]
    [InlineData("""{"status":"FAILURE","error":[]}""")]
    public void Parse_UnexpectedShapes_NoException(string json)
    {
        var status = T8StarStatusParser.Parse(json);

        Assert.InRange(status.Progress, 0, 100);
        Assert.Equal(status.State == UpstreamState.Succeeded, status.VideoUrl is not null);
        Assert.Equal(status.State == UpstreamState.Failed, status.FailReason is not null);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("not json")]
    [InlineData("<html><body>Bad gateway</body></html>")]
    [InlineData("{\"status\":")]
    [InlineData("null")]
    [InlineData("[1,2]")]
    [InlineData("\"SUCCESS\"")]
    [InlineData("42")]
    public void Parse_NotAJsonObject_TransientUnreadable(string body)
    {
        var ex = Assert.Throws<ProviderException>(() => T8StarStatusParser.Parse(body));

        Assert.Equal(ProviderErrorKind.Transient, ex.Kind);
        Assert.Contains("unreadable status answer", ex.Message, StringComparison.Ordinal);
    }
}
