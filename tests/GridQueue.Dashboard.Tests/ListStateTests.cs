using GridQueue.Server.Testing;
using Microsoft.Playwright;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace GridQueue.Dashboard.Tests;

/// <summary>The list's paging, its error state, and an action's error shown as a toast.</summary>
public sealed class ListStateTests(BrowserFixture browser, ITestOutputHelper output) : DashboardTest(browser, output)
{
    [Fact]
    public async Task LoadMore_ShowsTheNextPageNewestFirst()
    {
        var server = await StartServerAsync();
        using var client = await server.CreateClientAsync("hal");
        var ids = new List<string>();
        for (var i = 1; i <= 21; i++)
        {
            ids.Add((await client.GenerateAsync(new { prompt = $"Scene number {i}", model = "sora-2" })).Id());
        }

        await OpenAsync(server);
        await SignInDevAsync("hal");
        var rows = Page.Locator("li.task");
        await Expect(rows).ToHaveCountAsync(20);
        await Expect(rows.First).ToHaveAttributeAsync("data-task-id", ids[^1]);
        await Expect(Row(ids[0])).ToHaveCountAsync(0);

        var more = Page.GetByRole(AriaRole.Button, new() { Name = "Load more" });
        await more.ClickAsync();
        await Expect(rows).ToHaveCountAsync(21);
        await Expect(rows.Last).ToHaveAttributeAsync("data-task-id", ids[0]);
        await Expect(more).ToBeHiddenAsync();
        AssertNoJavaScriptErrors();
    }

    [Fact]
    public async Task ListFailsToLoad_ErrorWithTryAgain_AndAFailedCancelIsADismissableToast()
    {
        var server = await StartServerAsync(new() { ["Providers:Simulator:Duration"] = Seconds(30) });
        await OpenAsync(server);
        AllowConsoleError("answers the test makes fail", (text, location) =>
            (text.Contains("status of 503", StringComparison.Ordinal) && location.Contains("/api/v1/video/tasks", StringComparison.Ordinal))
            || (text.Contains("status of 400", StringComparison.Ordinal) && location.Contains("/api/v1/video/cancel/", StringComparison.Ordinal)));
        const string Unavailable = """{"success":false,"error":{"code":"UNAVAILABLE","message":"Storage is not answering."}}""";
        await Page.RouteAsync("**/api/v1/video/tasks?**", route => route.FulfillAsync(new() { Status = 503, ContentType = "application/json", Body = Unavailable }));

        await Page.GetByLabel("User id").FillAsync("ida");
        await Page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        var state = Page.Locator("#tasks-state");
        await Expect(state.GetByRole(AriaRole.Alert)).ToContainTextAsync("Your tasks could not be loaded: Storage is not answering.");
        var tryAgain = state.GetByRole(AriaRole.Button, new() { Name = "Try again" });
        await Expect(tryAgain).ToBeVisibleAsync();
        // The live stream's first opening reloads the list too (it fails the same way while the route stands); wait
        // for it, so that after the route is gone only Try again loads the list.
        await Expect(Connection).ToHaveTextAsync("Live");

        await Page.UnrouteAllAsync(new() { Behavior = UnrouteBehavior.Wait });
        await tryAgain.ClickAsync();
        await Expect(Page.GetByText("No tasks yet")).ToBeVisibleAsync();
        await Expect(state.GetByRole(AriaRole.Alert)).ToHaveCountAsync(0);

        // A cancel the server refuses is reported in a toast, which can be dismissed.
        await SubmitAsync("A windmill turning slowly");
        using var client = await server.CreateClientAsync("ida");
        var task = await NewestTaskAsync(client);
        await Page.RouteAsync("**/api/v1/video/cancel/**", route => route.FulfillAsync(new()
        {
            Status = 400,
            ContentType = "application/json",
            Body = """{"success":false,"error":{"code":"BAD_REQUEST","message":"The task can no longer be cancelled."}}""",
        }));
        await Row(task.Id()).GetByRole(AriaRole.Button, new() { Name = "Cancel" }).ClickAsync();
        var toast = Toasts.Filter(new() { HasText = "Could not cancel" });
        await Expect(toast).ToContainTextAsync("The task can no longer be cancelled.");
        await Expect(Page.Locator("#toasts")).ToHaveAttributeAsync("role", "status");
        await Expect(Page.Locator("#toasts")).ToHaveAttributeAsync("aria-live", "polite");
        await toast.GetByRole(AriaRole.Button, new() { Name = "Dismiss" }).ClickAsync();
        await Expect(toast).ToHaveCountAsync(0);
        await Expect(StatusOf(Row(task.Id()))).Not.ToHaveTextAsync("cancelled");
        AssertNoJavaScriptErrors();
    }
}
