using System.Net.Http.Headers;
using System.Text.Json;
using GridQueue.Server.Testing;

namespace GridQueue.Cli.Tests;

public sealed class TaskCommandTests(DefaultServer fixture) : IClassFixture<DefaultServer>
{
    [Fact]
    public async Task Token_PrintsOnlyATokenTheServerAccepts()
    {
        var result = await CliProcess.RunAsync("token", "alice-token-test", "--server", fixture.Address);

        Assert.True(result.ExitCode == 0, result.ToString());
        var token = Assert.Single(result.OutLines);
        Assert.Equal(token + "\n", result.Out);
        Assert.Equal(3, token.Split('.').Length);
        using var api = fixture.Server.CreateClient();
        api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        var (status, envelope) = await api.GetEnvelopeAsync("api/v1/video/tasks");
        Assert.True(status == System.Net.HttpStatusCode.OK, envelope.ToString());
    }

    [Fact]
    public async Task Status_PrintsTheMainFieldsAligned()
    {
        using var user = await fixture.UserAsync();
        var id = await user.CreateTaskAsync("a red kite over the sea");
        var task = await user.Api.WaitForStatusAsync(id, "succeeded");

        var result = await user.RunAsync("status", id);

        Assert.True(result.ExitCode == 0, result.ToString());
        var fields = result.OutLines.ToDictionary(l => l.Split(' ')[0], l => l[l.IndexOf(' ', StringComparison.Ordinal)..].Trim());
        Assert.Equal(id, fields["id"]);
        Assert.Equal("succeeded  100%", fields["status"]);
        Assert.Equal("simulator / sora-2", fields["provider"]);
        Assert.Equal("a red kite over the sea", fields["prompt"]);
        Assert.Equal(task.GetProperty("video_url").GetString(), fields["video_url"]);
        Assert.Equal("1", fields["attempt"]);
        Assert.True(fields.ContainsKey("created") && fields.ContainsKey("updated") && fields.ContainsKey("completed"), result.ToString());
        Assert.Single(result.OutLines.Select(l => l.Length - l[(l.IndexOf(' ', StringComparison.Ordinal))..].TrimStart().Length).Distinct());
    }

    [Fact]
    public async Task StatusJson_IsTheApisTaskObject()
    {
        using var user = await fixture.UserAsync();
        var id = await user.CreateTaskAsync();
        var fromApi = await user.Api.WaitForStatusAsync(id, "succeeded");

        var result = await user.RunAsync("status", id, "--json");

        Assert.True(result.ExitCode == 0, result.ToString());
        var task = Json.Parse(result);
        Json.AssertTask(task);
        foreach (var field in Json.TaskFields.Where(f => f is not ("created_at" or "updated_at" or "completed_at")))
        {
            Assert.Equal(fromApi.GetProperty(field).GetRawText(), task.GetProperty(field).GetRawText());
        }

        foreach (var field in new[] { "created_at", "updated_at", "completed_at" })
        {
            Assert.Equal(fromApi.GetProperty(field).GetDateTimeOffset(), task.GetProperty(field).GetDateTimeOffset());
        }
    }

    [Fact]
    public async Task List_PrintsATableNewestFirst_AndTheNextPageCommand()
    {
        using var user = await fixture.UserAsync();
        var ids = new List<string>();
        foreach (var prompt in new[] { "first kite", "second kite", "third kite with a very long prompt that does not fit in the table column at all" })
        {
            ids.Add(await user.CreateTaskAsync(prompt));
        }

        var result = await user.RunAsync("list", "--limit", "2");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(3, result.OutLines.Length);
        Assert.StartsWith("ID ", result.OutLines[0], StringComparison.Ordinal);
        foreach (var column in new[] { "STATUS", "PROGRESS", "CREATED", "PROMPT" })
        {
            Assert.Contains(column, result.OutLines[0], StringComparison.Ordinal);
        }

        Assert.StartsWith(ids[2] + " ", result.OutLines[1], StringComparison.Ordinal);
        Assert.StartsWith(ids[1] + " ", result.OutLines[2], StringComparison.Ordinal);
        Assert.EndsWith("…", result.OutLines[1], StringComparison.Ordinal);
        Assert.EndsWith("second kite", result.OutLines[2], StringComparison.Ordinal);
        Assert.Equal($"more: gridqueue list --limit 2 --cursor {ids[1]}", result.ErrorLines[^1]);

        var next = await user.RunAsync("list", "--limit", "2", "--cursor", ids[1]);
        Assert.True(next.ExitCode == 0, next.ToString());
        Assert.Equal(2, next.OutLines.Length);
        Assert.StartsWith(ids[0] + " ", next.OutLines[1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task ListJson_IsTheApisPage()
    {
        using var user = await fixture.UserAsync();
        var ids = new[] { await user.CreateTaskAsync("one"), await user.CreateTaskAsync("two"), await user.CreateTaskAsync("three") };
        await user.Api.WaitForStatusAsync(ids[0], "succeeded");

        var result = await user.RunAsync("list", "--limit", "2", "--json");

        Assert.True(result.ExitCode == 0, result.ToString());
        var page = Json.Parse(result);
        Assert.Equal(new[] { "items", "next_cursor" }, page.EnumerateObject().Select(p => p.Name));
        var items = page.GetProperty("items").EnumerateArray().ToList();
        items.ForEach(Json.AssertTask);
        Assert.Equal(new[] { ids[2], ids[1] }, items.Select(t => t.Id()));
        Assert.Equal(ids[1], page.GetProperty("next_cursor").GetString());

        var filtered = Json.Parse(await user.RunAsync("list", "--status", "succeeded", "--limit", "100", "--json"));
        Assert.All(filtered.GetProperty("items").EnumerateArray(), t => Assert.Equal("succeeded", t.Status()));
        Assert.Contains(ids[0], filtered.GetProperty("items").EnumerateArray().Select(t => t.Id()));
        Assert.Equal(JsonValueKind.Null, filtered.GetProperty("next_cursor").ValueKind);
    }

    [Fact]
    public async Task Retry_TaskThatIsNotFailed_ExitsThreeWithBadRequest()
    {
        using var user = await fixture.UserAsync();
        var id = await user.CreateTaskAsync();
        await user.Api.WaitForStatusAsync(id, "succeeded");

        var result = await user.RunAsync("retry", id);

        Assert.True(result.ExitCode == 3, result.ToString());
        Assert.StartsWith("error: BAD_REQUEST: ", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Watch_TaskAlreadyDone_EndsAtOnce()
    {
        using var user = await fixture.UserAsync();
        var id = await user.CreateTaskAsync();
        await user.Api.WaitForStatusAsync(id, "succeeded");

        var result = await CliProcess.RunAsync(user.Args("watch", id, "--json"), timeout: TimeSpan.FromSeconds(20));

        Assert.True(result.ExitCode == 0, result.ToString());
        var task = Json.Parse(result);
        Json.AssertTask(task);
        Assert.Equal("succeeded", task.Status());
    }
}
