using System.Globalization;
using System.Text.RegularExpressions;
using GridQueue.Server.Testing;

namespace GridQueue.Cli.Tests;

public sealed partial class SubmitTests(DefaultServer fixture) : IClassFixture<DefaultServer>
{
    [Fact]
    public async Task SubmitWait_ShowsRisingProgressOnStderr_AndPrintsOnlyTheVideoUrl()
    {
        using var user = await fixture.UserAsync();

        var result = await user.RunAsync("submit", "a red kite over the sea", "--model", "sora-2", "--wait");

        Assert.True(result.ExitCode == 0, result.ToString());
        var tasks = (await user.Api.GetEnvelopeAsync("api/v1/video/tasks")).Envelope.GetProperty("data").GetProperty("items");
        var task = Assert.Single(tasks.EnumerateArray());
        Assert.Equal("succeeded", task.Status());
        Assert.Equal(task.GetProperty("video_url").GetString() + "\n", result.Out);

        // Not a terminal: one plain line per change, never a carriage return.
        Assert.DoesNotContain('\r', result.Error);
        var percents = result.ErrorLines.Select(l => ProgressLine().Match(l)).Where(m => m.Success)
            .Select(m => int.Parse(m.Groups["p"].Value, CultureInfo.InvariantCulture)).ToList();
        Assert.True(percents.Distinct().Count() >= 3, $"Expected several progress values on stderr:\n{result}");
        Assert.Equal(percents.Order(), percents);
        Assert.Contains("running", result.Error, StringComparison.Ordinal);
        Assert.Equal("succeeded 100%", result.ErrorLines[^1]);
    }

    [Fact]
    public async Task Submit_PrintsOnlyTheTaskId_AndSendsEveryOption()
    {
        using var user = await fixture.UserAsync();

        var result = await user.RunAsync(
            "submit", "a kite at night", "--model", "veo-3", "--provider", "simulator", "--aspect-ratio", "9:16",
            "--duration", "5", "--hd", "--image", "https://example.com/a.png", "--image", "https://example.com/b.png");

        Assert.True(result.ExitCode == 0, result.ToString());
        var id = Assert.Single(result.OutLines);
        Assert.Matches("^tsk_[0-9A-Za-z]+$", id);
        Assert.Contains($"gridqueue watch {id}", result.Error, StringComparison.Ordinal);
        var task = await user.StatusAsync(id);
        Assert.Equal("a kite at night", task.GetProperty("prompt").GetString());
        Assert.Equal("veo-3", task.GetProperty("model").GetString());
        Assert.Equal("simulator", task.GetProperty("provider").GetString());
        Assert.Equal("9:16", task.GetProperty("aspect_ratio").GetString());
        Assert.Equal(5, task.GetProperty("duration").GetInt32());
        Assert.True(task.GetProperty("hd").GetBoolean());
        Assert.Equal(new[] { "https://example.com/a.png", "https://example.com/b.png" }, task.GetProperty("images").EnumerateArray().Select(i => i.GetString()!));
    }

    [Fact]
    public async Task Submit_Json_IsTheQueuedTaskObject()
    {
        using var user = await fixture.UserAsync();

        var result = await user.RunAsync("submit", "a red kite over the sea", "--model", "sora-2", "--json");

        Assert.True(result.ExitCode == 0, result.ToString());
        var task = Json.Parse(result);
        Json.AssertTask(task);
        Assert.Equal("queued", task.Status());
        Assert.Equal(user.Id, task.GetProperty("user_id").GetString());
        Assert.Equal("a red kite over the sea", task.GetProperty("prompt").GetString());
        Assert.Equal(10, task.GetProperty("duration").GetInt32());
        Assert.Equal("16:9", task.GetProperty("aspect_ratio").GetString());
    }

    [Fact]
    public async Task SubmitWaitJson_IsTheSucceededTaskObject()
    {
        using var user = await fixture.UserAsync();

        var result = await user.RunAsync("submit", "a red kite over the sea", "--model", "sora-2", "--wait", "--json");

        Assert.True(result.ExitCode == 0, result.ToString());
        var task = Json.Parse(result);
        Json.AssertTask(task);
        Assert.Equal("succeeded", task.Status());
        Assert.Equal(100, task.GetProperty("progress").GetInt32());
        var fromApi = await user.StatusAsync(task.Id());
        Assert.Equal(fromApi.GetProperty("video_url").GetString(), task.GetProperty("video_url").GetString());
        Assert.NotNull(task.GetProperty("completed_at").GetString());
        Assert.Contains("succeeded 100%", result.ErrorLines);
    }

    [Fact]
    public async Task Submit_SameIdempotencyKey_GivesTheSameTask()
    {
        using var user = await fixture.UserAsync();

        var first = await user.RunAsync("submit", "a red kite", "--model", "sora-2", "--idempotency-key", "kite-1");
        var second = await user.RunAsync("submit", "a red kite", "--model", "sora-2", "--idempotency-key", "kite-1");

        Assert.True(first.ExitCode == 0, first.ToString());
        Assert.True(second.ExitCode == 0, second.ToString());
        Assert.Equal(first.Out, second.Out);
    }

    [Fact]
    public async Task Submit_InvalidRequest_ExitsThreeWithTheFieldMessage()
    {
        using var user = await fixture.UserAsync();

        var result = await user.RunAsync("submit", "   ", "--model", "sora-2");

        Assert.True(result.ExitCode == 3, result.ToString());
        Assert.StartsWith("error: VALIDATION_ERROR: ", result.Error, StringComparison.Ordinal);
        Assert.Contains("  prompt: ", result.Error, StringComparison.Ordinal);
        Assert.Equal("", result.Out);
    }

    [GeneratedRegex(@"^(queued|running|succeeded) (?<p>\d+)%$")]
    private static partial Regex ProgressLine();
}
