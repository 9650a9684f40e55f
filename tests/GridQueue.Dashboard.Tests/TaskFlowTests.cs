using System.Text.RegularExpressions;
using GridQueue.Server.Testing;
using Microsoft.Playwright;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace GridQueue.Dashboard.Tests;

/// <summary>A task's life in the page: created, followed live, cancelled, retried, and followed across a server restart.</summary>
public sealed partial class TaskFlowTests(BrowserFixture browser, ITestOutputHelper output) : DashboardTest(browser, output)
{
    [Fact]
    public async Task Generate_SignedInDev_ProgressRisesToSuccessToastAndOpenVideoLink()
    {
        var server = await StartServerAsync(new() { ["Providers:Simulator:Duration"] = Seconds(5) });
        await OpenAsync(server, 1280, 800);
        await SignInDevAsync("ada");
        await Expect(Page.GetByLabel("Provider")).ToHaveValueAsync("simulator");
        await Expect(Page.GetByLabel("Model")).ToHaveValueAsync("sora-2");

        const string Prompt = "A paper boat drifting down a rainy street at dusk";
        await SubmitAsync(Prompt);

        using var client = await server.CreateClientAsync("ada");
        var created = await NewestTaskAsync(client);
        var row = Row(created.Id());
        await Expect(row.GetByRole(AriaRole.Heading)).ToHaveTextAsync(Prompt);
        await Expect(row).ToContainTextAsync("simulator / sora-2");
        var progress = row.GetByRole(AriaRole.Progressbar);
        await Expect(progress).ToHaveAttributeAsync("aria-label", new Regex("^Progress of .*paper boat"));
        await Expect(progress).ToHaveAttributeAsync("value", ProgressBetween1And99());
        await Expect(StatusOf(row)).ToHaveTextAsync("running");
        await Expect(row.GetByRole(AriaRole.Button, new() { Name = "Cancel" })).ToBeVisibleAsync();

        await Expect(Toasts.Filter(new() { HasText = "Video ready: A paper boat" })).ToBeVisibleAsync();
        await Expect(StatusOf(row)).ToHaveTextAsync("succeeded");
        await Expect(progress).ToHaveAttributeAsync("value", "100");
        var done = await client.WaitForStatusAsync(created.Id(), "succeeded");
        var videoUrl = done.GetProperty("video_url").GetString();
        await Expect(row.GetByRole(AriaRole.Link, new() { Name = "Open video" })).ToHaveAttributeAsync("href", videoUrl!);
        await Expect(row.GetByRole(AriaRole.Button)).ToHaveCountAsync(0);
        await Expect(Toasts.Filter(new() { HasText = "Video ready" })).ToHaveCountAsync(1);

        if (Environment.GetEnvironmentVariable("GRIDQUEUE_SCREENSHOT") is { Length: > 0 } path)
        {
            // For the README: the finished task, with one more still running beside it.
            var running = await client.GenerateAsync(new { prompt = "Northern lights over a frozen lake, slow pan", model = "sora-2", aspect_ratio = "9:16", hd = true });
            await Expect(Row(running.Id()).GetByRole(AriaRole.Progressbar)).ToHaveAttributeAsync("value", ProgressBetween1And99());
            await Page.ScreenshotAsync(new() { Path = path, FullPage = true });
        }

        AssertNoJavaScriptErrors();
    }

    [Fact]
    public async Task Cancel_RunningTask_ShowsCancelledAndRemovesTheButton()
    {
        var server = await StartServerAsync(new() { ["Providers:Simulator:Duration"] = Seconds(30) });
        await OpenAsync(server);
        await SignInDevAsync("bea");
        await SubmitAsync("A lighthouse in a storm");

        using var client = await server.CreateClientAsync("bea");
        var created = await NewestTaskAsync(client);
        var row = Row(created.Id());
        await Expect(StatusOf(row)).ToHaveTextAsync("running");
        var cancel = row.GetByRole(AriaRole.Button, new() { Name = "Cancel" });
        await Expect(cancel).ToHaveAccessibleNameAsync(new Regex("^Cancel task .*lighthouse"));
        await Expect(cancel).ToHaveTextAsync("Cancel");
        await cancel.ClickAsync();

        await Expect(StatusOf(row)).ToHaveTextAsync("cancelled");
        await Expect(cancel).ToHaveCountAsync(0);
        await Expect(row.GetByRole(AriaRole.Button)).ToHaveCountAsync(0);
        Assert.Equal("cancelled", (await client.StatusAsync(created.Id())).Status());
        AssertNoJavaScriptErrors();
    }

    [Fact]
    public async Task Retry_FailedTask_ShowsFailureToastThenRunsAgainAsAttemptTwo()
    {
        var server = await StartServerAsync(new()
        {
            ["Providers:Simulator:Duration"] = Seconds(4),
            ["Providers:Simulator:FailureRate"] = "1",
        });
        await OpenAsync(server);
        await SignInDevAsync("cy");
        await SubmitAsync("A comet over the mountains");

        using var client = await server.CreateClientAsync("cy");
        var created = await NewestTaskAsync(client);
        var failed = await client.WaitForStatusAsync(created.Id(), "failed");
        var message = failed.GetProperty("error_message").GetString()!;
        var row = Row(created.Id());

        await Expect(Toasts.Filter(new() { HasText = $"Task failed: {message}" })).ToBeVisibleAsync();
        await Expect(StatusOf(row)).ToHaveTextAsync("failed");
        await Expect(row.Locator(".task-error")).ToHaveTextAsync(message);
        await Expect(row.GetByRole(AriaRole.Button, new() { Name = "Cancel" })).ToHaveCountAsync(0);
        var retry = row.GetByRole(AriaRole.Button, new() { Name = "Retry" });
        await Expect(retry).ToHaveTextAsync("Retry");
        await Expect(row).Not.ToContainTextAsync("Attempt");
        await retry.ClickAsync();

        await Expect(row.Locator(".task-attempt")).ToHaveTextAsync("Attempt 2");
        await Expect(StatusOf(row)).ToHaveTextAsync(new Regex("^(queued|running)$"));
        await Expect(row.GetByRole(AriaRole.Button, new() { Name = "Cancel" })).ToBeVisibleAsync();
        await Expect(StatusOf(row)).ToHaveTextAsync("failed");
        await Expect(row.GetByRole(AriaRole.Button, new() { Name = "Retry" })).ToBeVisibleAsync();
        var again = await client.StatusAsync(created.Id());
        Assert.Equal("failed", again.Status());
        Assert.Equal(2, again.GetProperty("attempt").GetInt32());
        AssertNoJavaScriptErrors();
    }

    [Fact]
    public async Task ServerRestart_MidTask_ListReconnectsAndShowsSuccessOnceWithoutReload()
    {
        var folder = NewFolder();
        var settings = new Dictionary<string, string?> { ["Providers:Simulator:Duration"] = Seconds(6) };
        var first = await StartServerAsync(settings, folder);
        await OpenAsync(first);
        // While the server is away, the browser's reconnection attempts fail: that is the point of the test.
        AllowConsoleError("the server is restarting", (text, location) =>
            text.Contains("net::ERR_", StringComparison.Ordinal) && location.Contains("/api/v1/", StringComparison.Ordinal));
        await SignInDevAsync("dee");
        await Page.EvaluateAsync("() => { window.gqSamePage = true; }");
        await SubmitAsync("Fireflies in a summer meadow");

        using (var client = await first.CreateClientAsync("dee"))
        {
            var created = await NewestTaskAsync(client);
            var row = Row(created.Id());
            await Expect(StatusOf(row)).ToHaveTextAsync("running");
            await Expect(row.GetByRole(AriaRole.Progressbar)).ToHaveAttributeAsync("value", ProgressBetween1And99());

            // Log the stream's connections (token left out), to see how the page came back.
            Page.Request += async (_, request) =>
            {
                if (request.Url.Contains("/api/v1/video/events", StringComparison.Ordinal))
                {
                    var headers = await request.AllHeadersAsync();
                    Output.WriteLine($"events request: {Regex.Replace(request.Url, "access_token=[^&]*", "access_token=…")} Last-Event-ID: {headers.GetValueOrDefault("last-event-id") ?? "(none)"}");
                }
            };
            var refused = new TaskCompletionSource<IRequest>(TaskCreationOptions.RunContinuationsAsynchronously);
            Page.RequestFailed += (_, request) =>
            {
                if (request.Url.Contains("/api/v1/", StringComparison.Ordinal))
                {
                    refused.TrySetResult(request);
                }
            };
            await first.StopAsync();
            await Expect(Connection).ToHaveTextAsync(new Regex("Reconnecting"));
            Assert.NotEqual("succeeded", await StatusOf(row).TextContentAsync());

            // Stay down until the page has tried to reconnect and failed at least once.
            var failure = await refused.Task.WaitAsync(TimeSpan.FromSeconds(20));
            Output.WriteLine($"failed while down: {Regex.Replace(failure.Url, "access_token=[^&]*", "access_token=…")} {failure.Failure}");
            await Expect(Connection).ToHaveTextAsync(new Regex("Reconnecting"));

            var second = await StartServerAsync(settings, folder, first.Address.Port);
            await Expect(StatusOf(row)).ToHaveTextAsync("succeeded", new() { Timeout = 30_000 });
            await Expect(Connection).ToHaveTextAsync("Live");
            await Expect(Toasts.Filter(new() { HasText = "Video ready: Fireflies" })).ToHaveCountAsync(1);
            Assert.True(await Page.EvaluateAsync<bool>("() => window.gqSamePage === true"), "The page was reloaded.");

            using var after = await second.CreateClientAsync("dee");
            var done = await after.StatusAsync(created.Id());
            Assert.Equal("succeeded", done.Status());
            await Expect(row.GetByRole(AriaRole.Link, new() { Name = "Open video" })).ToHaveAttributeAsync("href", done.GetProperty("video_url").GetString()!);
            await Expect(Page.Locator("li.task")).ToHaveCountAsync(1);
        }

        AssertNoJavaScriptErrors();
    }

    [Fact]
    public async Task BrowserGivesUpOnTheStream_PageOpensANewOneResumingAfterTheLastEventId()
    {
        var folder = NewFolder();
        var settings = new Dictionary<string, string?> { ["Providers:Simulator:Duration"] = Seconds(6) };
        var first = await StartServerAsync(settings, folder);
        await OpenAsync(first);
        AllowConsoleError("the server is restarting behind a proxy that answers 503", (text, location) =>
            (text.Contains("net::ERR_", StringComparison.Ordinal) || text.Contains("status of 503", StringComparison.Ordinal))
            && location.Contains("/api/v1/", StringComparison.Ordinal));
        await SignInDevAsync("gus");
        var resumed = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        Page.Request += (_, request) =>
        {
            if (request.Url.Contains("/api/v1/video/events", StringComparison.Ordinal) && request.Url.Contains("last_event_id=", StringComparison.Ordinal))
            {
                resumed.TrySetResult(request.Url);
            }
        };
        await SubmitAsync("Rain on a tin roof, close up");

        using var client = await first.CreateClientAsync("gus");
        var created = await NewestTaskAsync(client);
        var row = Row(created.Id());
        await Expect(StatusOf(row)).ToHaveTextAsync("running");

        // While the server is away, a proxy answers the stream with 503: an EventSource gives up for good on that.
        var answered503 = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await Page.RouteAsync("**/api/v1/video/events?**", async route =>
        {
            await route.FulfillAsync(new() { Status = 503, ContentType = "application/json", Body = """{"success":false,"error":{"code":"UNAVAILABLE","message":"Down for a moment."}}""" });
            answered503.TrySetResult();
        });
        await first.StopAsync();
        await Expect(Connection).ToHaveTextAsync(new Regex("Reconnecting"));
        await answered503.Task.WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Equal(0, await Page.EvaluateAsync<int>("() => document.querySelectorAll('#toasts .toast-success').length"));

        await Page.UnrouteAllAsync(new() { Behavior = UnrouteBehavior.Wait });
        var second = await StartServerAsync(settings, folder, first.Address.Port);
        var url = await resumed.Task.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Matches("last_event_id=[1-9][0-9]*", url);
        await Expect(StatusOf(row)).ToHaveTextAsync("succeeded", new() { Timeout = 30_000 });
        await Expect(Connection).ToHaveTextAsync("Live");
        await Expect(Toasts.Filter(new() { HasText = "Video ready: Rain on a tin roof" })).ToHaveCountAsync(1);
        using var after = await second.CreateClientAsync("gus");
        Assert.Equal("succeeded", (await after.StatusAsync(created.Id())).Status());
        AssertNoJavaScriptErrors();
    }

    [Fact]
    public async Task ServerComesBackWithANewDatabase_PageDropsItsResumePointAndGoesLiveAgain()
    {
        var first = await StartServerAsync();
        await OpenAsync(first);
        AllowConsoleError("the server restarts, then refuses the old resume point with 400", (text, location) =>
            (text.Contains("net::ERR_", StringComparison.Ordinal) || text.Contains("status of 400", StringComparison.Ordinal))
            && location.Contains("/api/v1/", StringComparison.Ordinal));
        await SignInDevAsync("ivy");
        await SubmitAsync("Fog over a harbour at dawn");
        using (var client = await first.CreateClientAsync("ivy"))
        {
            var created = await NewestTaskAsync(client);
            await Expect(StatusOf(Row(created.Id()))).ToHaveTextAsync("succeeded", new() { Timeout = 30_000 });
        }

        // The same address, a new database: the page's last event id is ahead of the new log.
        await first.StopAsync();
        await Expect(Connection).ToHaveTextAsync(new Regex("Reconnecting"));
        var second = await StartServerAsync(port: first.Address.Port);
        await Expect(Connection).ToHaveTextAsync("Live", new() { Timeout = 30_000 });

        using var again = await second.CreateClientAsync("ivy");
        var fresh = await again.GenerateAsync(TaskApi.Body("Snow on a red roof"));
        await Expect(StatusOf(Row(fresh.Id()))).ToHaveTextAsync("succeeded", new() { Timeout = 30_000 });
        AssertNoJavaScriptErrors();
    }

    [GeneratedRegex("^([1-9]|[1-9][0-9])$")]
    private static partial Regex ProgressBetween1And99();
}
