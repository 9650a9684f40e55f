using System.Text.RegularExpressions;
using GridQueue.Server.Testing;
using Microsoft.Playwright;
using Xunit.Abstractions;

namespace GridQueue.Dashboard.Tests;

/// <summary>
/// A browser app on another origin calls the API in real Chromium: allowed by Cors__AllowedOrigins it signs in, makes
/// a task (a preflighted request), follows it on the event stream and reads the exposed ETag; not in the list, the
/// browser refuses it the API.
/// </summary>
public sealed class CrossOriginTests(BrowserFixture browser, ITestOutputHelper output) : DashboardTest(browser, output)
{
    [Fact]
    public async Task PageOnAllowedOrigin_SignsIn_MakesATask_AndFollowsItToSucceeded()
    {
        await using var site = await OtherOriginSite.StartAsync();
        var server = await StartServerAsync(new Dictionary<string, string?> { ["Cors:AllowedOrigins"] = site.OriginHeader });

        await OpenPageAsync(site.PageFor(server.Address));

        await Assertions.Expect(Page.Locator("#state")).ToHaveTextAsync("succeeded");
        await Assertions.Expect(Page.Locator("#error")).ToBeEmptyAsync();
        await Assertions.Expect(Page.Locator("#events li").Last).ToHaveTextAsync("succeeded");
        // The ETag is readable only because the server exposes it; otherwise the page would show "unreadable".
        await Assertions.Expect(Page.Locator("#etag")).ToHaveTextAsync(new Regex("^\"[0-9]+\"$"));
        AssertNoJavaScriptErrors();
        server.AssertNoErrorsLogged();
    }

    [Fact]
    public async Task PageOnOriginNotListed_CannotCallTheApi()
    {
        await using var site = await OtherOriginSite.StartAsync();
        // localhost is a different origin from the 127.0.0.1 the browser opens: listing it does not let the page in.
        var listed = $"http://localhost:{site.Origin.Port}";
        var server = await StartServerAsync(new Dictionary<string, string?> { ["Cors:AllowedOrigins"] = listed });
        var api = server.Address.GetLeftPart(UriPartial.Authority);
        AllowConsoleError("Chromium reports the blocked call", (text, _) => text.Contains("blocked by CORS policy", StringComparison.Ordinal));
        AllowConsoleError("Chromium reports the failed load", (text, location) => location.StartsWith(api, StringComparison.Ordinal) && text.Contains("net::ERR_FAILED", StringComparison.Ordinal));

        await OpenPageAsync(site.PageFor(server.Address));

        await Assertions.Expect(Page.Locator("#error")).ToHaveTextAsync(new Regex("^failed: "));
        await Assertions.Expect(Page.Locator("#state")).ToHaveTextAsync("starting");
        AssertNoJavaScriptErrors();
    }
}
