using System.Text;
using System.Text.Json;
using Deque.AxeCore.Commons;
using Deque.AxeCore.Playwright;
using GridQueue.Server.Testing;
using Microsoft.Playwright;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace GridQueue.Dashboard.Tests;

/// <summary>
/// axe-core scans (its WCAG 2.0/2.1 level A and AA rules and its best practices) of the sign-in page, the workspace
/// with a task in each state and a toast (at both widths), and the workspace with a server validation error at the
/// Prompt field: in light mode on a desktop, and in dark mode on a 360 px wide screen. Any violation fails the test,
/// listed rule by rule with the elements concerned.
/// </summary>
public sealed class AccessibilityTests(BrowserFixture browser, ITestOutputHelper output) : DashboardTest(browser, output)
{
    private const string User = "ida";

    private static readonly AxeRunOptions AxeOptions = new()
    {
        RunOnly = new RunOnlyOptions
        {
            Type = "tag",
            Values = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"],
        },
        ResultTypes = [ResultType.Violations, ResultType.Incomplete],
    };

    [Theory]
    [InlineData(ColorScheme.Light, 1280, 800)]
    [InlineData(ColorScheme.Dark, 360, 740)]
    public async Task SignInAndWorkspace_EveryTaskStateToastAndValidationError_NoAxeViolations(ColorScheme scheme, int width, int height)
    {
        var folder = NewFolder();
        var (failedId, runningId) = await PrepareFailedAndRunningTasksAsync(folder);

        // The last server: short videos that succeed. The page opens only now, on the tasks made before.
        var server = await StartServerAsync(new() { ["Providers:Simulator:Duration"] = Seconds(2) }, folder);
        await OpenAsync(server, width, height, scheme);
        var dark = await Page.EvaluateAsync<bool>("() => matchMedia('(prefers-color-scheme: dark)').matches");
        Assert.Equal(scheme == ColorScheme.Dark, dark);

        // (1) The sign-in page in dev mode.
        await Expect(Page.GetByLabel("User id")).ToBeVisibleAsync();
        await AssertNoAxeViolationsAsync("the sign-in page");

        // (2) The workspace: a failed task (its error and Retry), a running one (Cancel), a succeeded one (its video
        // and Open video link) and the success toast.
        await SignInDevAsync(User);
        var failed = Row(failedId);
        await Expect(StatusOf(failed)).ToHaveTextAsync("failed");
        await Expect(failed.Locator(".task-error")).ToBeVisibleAsync();
        await Expect(failed.GetByRole(AriaRole.Button, new() { Name = "Retry" })).ToBeVisibleAsync();
        var running = Row(runningId);
        await Expect(StatusOf(running)).ToHaveTextAsync("running");
        await Expect(running.GetByRole(AriaRole.Button, new() { Name = "Cancel" })).ToBeVisibleAsync();

        await SubmitAsync("A paper boat drifting down a rainy street at dusk");
        var toast = Toasts.Filter(new() { HasText = "Video ready: A paper boat" });
        await Expect(toast).ToBeVisibleAsync();
        await toast.HoverAsync(); // the toast stays while the pointer is on it
        using (var client = await server.CreateClientAsync(User))
        {
            var succeeded = Row((await NewestTaskAsync(client)).Id());
            await Expect(StatusOf(succeeded)).ToHaveTextAsync("succeeded");
            await Expect(succeeded.GetByRole(AriaRole.Link, new() { Name = "Open video" })).ToBeVisibleAsync();
        }

        await Expect(StatusOf(running)).ToHaveTextAsync("running");
        await AssertNoAxeViolationsAsync("the workspace with a task in each state and a toast");

        // The same page at the other width too (one column on a phone, two on a desktop), in the same colour scheme.
        var otherWidth = width > 600 ? 360 : 1280;
        await Page.SetViewportSizeAsync(otherWidth, height);
        await toast.HoverAsync();
        await AssertNoAxeViolationsAsync($"the workspace with a task in each state and a toast, {otherWidth} px wide");
        await Page.SetViewportSizeAsync(width, height);

        // (3) A validation error from the server, shown at the Prompt field.
        AllowConsoleError("the server rejects the prompt", (text, location) =>
            text.Contains("status of 400", StringComparison.Ordinal) && location.Contains("/api/v1/video/generate", StringComparison.Ordinal));
        await SubmitAsync("     ");
        await Expect(Page.Locator("#prompt-error")).ToBeVisibleAsync();
        await Expect(Page.GetByLabel("Prompt")).ToHaveAttributeAsync("aria-invalid", "true");
        await AssertNoAxeViolationsAsync("the workspace with a validation error at the Prompt field");
        AssertNoJavaScriptErrors();
    }

    /// <summary>
    /// A failed task and a long running one of the user, made through the API on two servers one after the other on
    /// one database (the simulator's failure rate and duration are settings of a server; a simulated task keeps its
    /// own across a restart).
    /// </summary>
    private async Task<(string FailedId, string RunningId)> PrepareFailedAndRunningTasksAsync(string folder)
    {
        var failing = await StartServerAsync(new()
        {
            ["Providers:Simulator:Duration"] = Seconds(1),
            ["Providers:Simulator:FailureRate"] = "1",
        }, folder);
        string failedId;
        using (var client = await failing.CreateClientAsync(User))
        {
            failedId = (await client.GenerateAsync(new { prompt = "A comet over the mountains", model = "sora-2" })).Id();
            await client.WaitForStatusAsync(failedId, "failed");
        }

        await failing.StopAsync();

        var slow = await StartServerAsync(new() { ["Providers:Simulator:Duration"] = Seconds(120) }, folder);
        string runningId;
        using (var client = await slow.CreateClientAsync(User))
        {
            runningId = (await client.GenerateAsync(new { prompt = "Northern lights over a frozen lake, slow pan", model = "sora-2", aspect_ratio = "9:16", hd = true })).Id();
            // Sent to the simulator (its id, which holds the 120 s, is stored) before this server stops.
            await client.WaitAsync(runningId, t => t.GetProperty("upstream_task_id").ValueKind == JsonValueKind.String);
        }

        await slow.StopAsync();
        return (failedId, runningId);
    }

    /// <summary>Runs axe on the page as it is; fails listing each violation (rule, impact, help, elements).</summary>
    private async Task AssertNoAxeViolationsAsync(string what)
    {
        var result = await Page.RunAxe(AxeOptions);
        var incomplete = result.Incomplete ?? [];
        if (incomplete.Length > 0)
        {
            // "Needs review" findings (axe could not decide, e.g. the "×" of a toast's Dismiss button) are logged only.
            Output.WriteLine(Describe($"axe left {incomplete.Length} rule(s) for review on {what}:", incomplete));
        }

        var violations = result.Violations ?? [];
        Assert.True(violations.Length == 0, Describe($"axe found {violations.Length} violation(s) on {what}:", violations));
    }

    /// <summary>Each rule (id, impact, help) with the target selector of each element and what axe found there.</summary>
    private static string Describe(string title, AxeResultItem[] items)
    {
        var report = new StringBuilder(title);
        foreach (var item in items)
        {
            report.Append($"\n- {item.Id} [{item.Impact}] {item.Help} ({item.HelpUrl})");
            foreach (var node in item.Nodes)
            {
                var checks = (node.Any ?? []).Concat(node.All ?? []).Concat(node.None ?? []).Select(c => c.Message).Where(m => !string.IsNullOrEmpty(m));
                report.Append($"\n    {node.Target}: {string.Join(" / ", checks)}");
            }
        }

        return report.ToString();
    }
}
