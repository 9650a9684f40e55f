using GridQueue.Server.Testing;
using Microsoft.Playwright;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace GridQueue.Dashboard.Tests;

/// <summary>On the embedded default (SQLite, the built-in simulator) a finished task's video really plays in the page.</summary>
public sealed class SampleVideoAndKeyTests(BrowserFixture browser, ITestOutputHelper output) : DashboardTest(browser, output)
{
    [Fact]
    public async Task Generate_EmbeddedDefault_SucceededTaskPlaysTheServedSampleVideo()
    {
        var server = await StartServerAsync();
        await OpenAsync(server);
        await SignInDevAsync("vic");

        await SubmitAsync("A lighthouse beam sweeping over night fog");

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
}
