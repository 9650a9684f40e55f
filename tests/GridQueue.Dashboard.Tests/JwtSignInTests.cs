using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace GridQueue.Dashboard.Tests;

/// <summary>Sign-in on a server in jwt mode: a pasted token, kept for the tab; a rejected token says so.</summary>
public sealed class JwtSignInTests(BrowserFixture browser, ITestOutputHelper output) : DashboardTest(browser, output)
{
    private const string Secret = "dashboard-test-secret-0123456789-abcdefghij";

    [Fact]
    public async Task JwtMode_PasteToken_BadTokenRejectedValidTokenSignsIn()
    {
        var server = await StartServerAsync(new() { ["Auth:Mode"] = "jwt", ["Auth:JwtSecret"] = Secret });
        await OpenAsync(server);
        // Rejected tokens get 401s (the task list, and the page's question whether the user is an admin), which the
        // browser logs as failed resources.
        AllowConsoleError("a rejected token", (text, location) =>
            text.Contains("status of 401", StringComparison.Ordinal)
            && (location.Contains("/api/v1/video/", StringComparison.Ordinal) || location.Contains("/api/v1/me", StringComparison.Ordinal)));

        var field = Page.GetByLabel("Access token (JWT)");
        await Expect(field).ToBeVisibleAsync();
        await Expect(Page.GetByLabel("User id")).ToBeHiddenAsync();
        var signIn = Page.GetByRole(AriaRole.Button, new() { Name = "Sign in" });

        await field.FillAsync("not-a-token");
        await signIn.ClickAsync();
        var error = Page.GetByRole(AriaRole.Alert).Filter(new() { HasText = "not accepted" });
        await Expect(error).ToBeVisibleAsync();
        await Expect(field).ToHaveAttributeAsync("aria-invalid", "true");

        await field.FillAsync(MakeJwt("another-secret-that-is-long-enough-0123456789", "mallory", TimeSpan.FromHours(1)));
        await signIn.ClickAsync();
        await Expect(error).ToContainTextAsync("signature");

        await field.FillAsync(MakeJwt(Secret, "jwt-user", TimeSpan.FromHours(1)));
        await signIn.ClickAsync();
        await Expect(Page.GetByRole(AriaRole.Heading, new() { Name = "Your tasks" })).ToBeVisibleAsync();
        await Expect(Page.Locator("#user-name")).ToHaveTextAsync("jwt-user");
        await Expect(Page.GetByText("No tasks yet")).ToBeVisibleAsync();
        await Expect(Connection).ToHaveTextAsync("Live");

        // The token is kept for the tab: a reload stays signed in.
        await Page.ReloadAsync();
        await Expect(Page.Locator("#user-name")).ToHaveTextAsync("jwt-user");
        await Expect(Connection).ToHaveTextAsync("Live");

        // A token the server stops accepting (here: replaced by a wrongly signed one) returns to sign-in, saying why.
        await Page.EvaluateAsync("t => sessionStorage.setItem('gridqueue.token', t)", MakeJwt("yet-another-secret-long-enough-0123456789", "jwt-user", TimeSpan.FromHours(1)));
        await Page.ReloadAsync();
        await Expect(field).ToBeVisibleAsync();
        await Expect(Page.GetByRole(AriaRole.Alert)).ToContainTextAsync(new Regex("sign in again"));
        Assert.Null(await Page.EvaluateAsync<string?>("() => sessionStorage.getItem('gridqueue.token')"));

        // Sign in again, then sign out.
        await field.FillAsync(MakeJwt(Secret, "jwt-user", TimeSpan.FromHours(1)));
        await signIn.ClickAsync();
        await Expect(Page.Locator("#user-name")).ToHaveTextAsync("jwt-user");
        await Page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
        await Expect(field).ToBeVisibleAsync();
        Assert.Null(await Page.EvaluateAsync<string?>("() => sessionStorage.getItem('gridqueue.token')"));
        AssertNoJavaScriptErrors();
    }
}
