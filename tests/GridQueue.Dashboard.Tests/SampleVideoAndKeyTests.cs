using System.Net;
using GridQueue.Server.Testing;
using Microsoft.Playwright;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace GridQueue.Dashboard.Tests;

/// <summary>
/// On the embedded default (SQLite, the built-in simulator) a finished task's video really plays in the page, and
/// the form's optional upstream key goes to the server as X-User-Api-Key and nowhere else in the browser.
/// </summary>
public sealed class SampleVideoAndKeyTests(BrowserFixture browser, ITestOutputHelper output) : DashboardTest(browser, output)
{
    private const string GeneratePath = "/api/v1/video/generate";

    [Fact]
    public async Task Generate_EmbeddedDefault_SucceededTaskPlaysTheServedSampleVideo()
    {
        var server = await StartServerAsync();
        await OpenAsync(server);
        await SignInDevAsync("vic");

        var sent = await Page.RunAndWaitForRequestAsync(
            () => SubmitAsync("A lighthouse beam sweeping over night fog"),
            request => request.Method == "POST" && request.Url.EndsWith(GeneratePath, StringComparison.Ordinal));
        Assert.Null(await sent.HeaderValueAsync("x-user-api-key")); // the empty key field sends no header

        using var client = await server.CreateClientAsync("vic");
        var created = await NewestTaskAsync(client);
        var done = await client.WaitForStatusAsync(created.Id(), "succeeded");
        Assert.Equal(new Uri(server.Address, "samples/simulated.webm").AbsoluteUri, done.GetProperty("video_url").GetString());

        var row = Row(created.Id());
        await Expect(StatusOf(row)).ToHaveTextAsync("succeeded");
        var video = row.Locator("video");
        await Expect(video).ToBeVisibleAsync();
        await Expect(video).ToHaveAttributeAsync("controls", string.Empty);
        await Expect(video).ToHaveAttributeAsync("src", done.GetProperty("video_url").GetString()!);

        // Played as a person would after pressing play (muted, so no autoplay rule stands in the way): it has decoded
        // a frame (readyState HAVE_CURRENT_DATA or more) and its clock moves.
        await video.EvaluateAsync("v => { v.muted = true; return v.play(); }");
        var handle = await video.ElementHandleAsync();
        await Page.WaitForFunctionAsync("v => v.readyState >= 2 && v.currentTime > 0 && !v.error", handle);
        Assert.Equal(640, await video.EvaluateAsync<int>("v => v.videoWidth"));
        Assert.Equal(360, await video.EvaluateAsync<int>("v => v.videoHeight"));

        AssertNoJavaScriptErrors();
    }

    [Fact]
    public async Task Generate_WithOwnUpstreamKey_SentAsHeaderThenClearedAndNeverStored()
    {
        const string Key = "own-upstream-key-7f3a9c";
        var server = await StartServerAsync(new() { ["Providers:Simulator:FailureRate"] = "1" });
        await OpenAsync(server);
        await SignInDevAsync("wes");

        var field = Page.GetByLabel("Your upstream API key (optional)");
        await Expect(field).ToHaveAttributeAsync("type", "password");
        await field.FillAsync(Key);
        var sent = await Page.RunAndWaitForRequestAsync(
            () => SubmitAsync("A fox crossing a snowy field at dawn"),
            request => request.Method == "POST" && request.Url.EndsWith(GeneratePath, StringComparison.Ordinal));
        Assert.Equal(Key, await sent.HeaderValueAsync("x-user-api-key"));
        Assert.DoesNotContain(Key, sent.Url, StringComparison.Ordinal);
        Assert.DoesNotContain(Key, sent.PostData ?? string.Empty, StringComparison.Ordinal);
        await Expect(field).ToHaveValueAsync(string.Empty);

        // The server holds the task to that key: the failed task cannot be retried without sending it again.
        using var client = await server.CreateClientAsync("wes");
        var created = await NewestTaskAsync(client);
        await client.WaitForStatusAsync(created.Id(), "failed");
        await Expect(StatusOf(Row(created.Id()))).ToHaveTextAsync("failed");
        var (status, envelope) = await client.PostEnvelopeAsync($"api/v1/video/retry/{created.Id()}");
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("VALIDATION_ERROR", envelope.ErrorCode());

        var traces = await Page.EvaluateAsync<string>(
            "() => JSON.stringify([Object.entries(localStorage), Object.entries(sessionStorage), document.cookie, location.href])");
        Assert.DoesNotContain(Key, traces, StringComparison.Ordinal);
        Assert.True(await Page.EvaluateAsync<int>("() => sessionStorage.length") > 0, "The storage read is not the page's: the session token is missing.");
        AssertNoJavaScriptErrors();
    }
}
