using System.Net;
using GridQueue.Engine.Engine;
using GridQueue.Engine.Jobs;
using GridQueue.Server.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace GridQueue.Dashboard.Tests;

/// <summary>
/// The admin console in the page: live counts while tasks run, a dead letter found, redriven and seen to complete,
/// another purged, both in the audit log; and no console for a user who is not an admin.
/// </summary>
public sealed class AdminConsoleTests(BrowserFixture browser, ITestOutputHelper output) : DashboardTest(browser, output)
{
    [Fact]
    public async Task Admin_SeesLiveCounts_RedrivesADeadLetterToCompletion_PurgesAnother_AuditShowsBoth()
    {
        var server = await StartServerAsync(new() { ["Providers:Simulator:Duration"] = "00:01:00" });
        var flaky = FlakyJobs.Register(server);
        var redriven = await flaky.InsertDeadLetterAsync("delivery to a receiver that was down");
        var purged = await flaky.InsertDeadLetterAsync("delivery nobody wants any more");
        var blocking = await flaky.InsertBlockingAsync();
        using var ada = await server.CreateClientAsync("ada");
        using var bob = await server.CreateClientAsync("bob");
        var adaTask = await ada.GenerateAsync(TaskApi.Body("A lighthouse in a storm, waves crashing"));
        var bobTask = await bob.GenerateAsync(TaskApi.Body("Cherry blossoms falling in slow motion"));

        await OpenAsync(server, 1280, 1000);
        await Page.GetByLabel("User id").FillAsync("root");
        await Page.GetByLabel("Sign in as admin").CheckAsync();
        await Page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Page.GetByRole(AriaRole.Button, new() { Name = "Admin" }).ClickAsync();
        await Expect(Page.GetByRole(AriaRole.Heading, new() { Name = "Admin console" })).ToBeVisibleAsync();

        // Live: the blocking job runs under its node's lease and both users' tasks run; when the tasks are cancelled
        // and the job is released, the page follows without a reload.
        var running = Page.Locator("#admin-running");
        await Expect(running.Locator("tbody tr").Filter(new() { HasText = AdminApi.BlockingKind })).ToContainTextAsync(blocking.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await Expect(Row("#admin-usage", "ada").Locator("td").Nth(1)).ToHaveTextAsync("1");
        await Expect(Row("#admin-usage", "bob").Locator("td").Nth(1)).ToHaveTextAsync("1");
        await Expect(Row("#admin-tasks", adaTask.Id())).ToContainTextAsync("running");
        var discarded = Cell("default", "discarded");
        await Expect(discarded).ToHaveTextAsync("2");
        await ada.PostEnvelopeAsync($"api/v1/video/cancel/{adaTask.Id()}");
        await bob.PostEnvelopeAsync($"api/v1/video/cancel/{bobTask.Id()}");
        await Expect(Row("#admin-usage", "ada").Locator("td").Nth(1)).ToHaveTextAsync("0");
        await Expect(Row("#admin-tasks", bobTask.Id())).ToContainTextAsync("cancelled");
        flaky.ReleaseBlocked();
        await Expect(running).ToContainTextAsync("Nothing is running.");
        await Expect(Page.Locator("#admin-throughput")).ToContainTextAsync("failure rate");

        // The dead letter, with its error history; redriven once its downstream is back, it runs and completes.
        var letter = Page.Locator($"li.admin-dead[data-job-id='{redriven}']");
        await Expect(letter).ToContainTextAsync("the downstream is down");
        Page.Dialog += (_, dialog) => dialog.AcceptAsync();
        flaky.Failing = false;
        await letter.GetByRole(AriaRole.Button, new() { Name = $"Redrive {AdminApi.FlakyKind} #{redriven}" }).ClickAsync();
        await Expect(Toasts.Filter(new() { HasText = $"Job #{redriven} redriven." })).ToBeVisibleAsync();
        await Expect(letter).ToHaveCountAsync(0);
        await Expect(discarded).ToHaveTextAsync("1");
        // Its outcome is stored just after its handler returns (outcomes are written behind the handlers).
        var engine = server.Services.GetRequiredService<JobEngine>();
        var settle = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while ((await engine.GetAsync(redriven))!.State != JobState.Completed && DateTime.UtcNow < settle)
        {
            await Task.Delay(50);
        }

        Assert.Equal(JobState.Completed, (await engine.GetAsync(redriven))!.State);

        var other = Page.Locator($"li.admin-dead[data-job-id='{purged}']");
        await other.GetByRole(AriaRole.Button, new() { Name = $"Purge {AdminApi.FlakyKind} #{purged}" }).ClickAsync();
        await Expect(other).ToHaveCountAsync(0);
        await Expect(discarded).ToHaveTextAsync("0");
        Assert.Null(await server.Services.GetRequiredService<JobEngine>().GetAsync(purged));

        var audit = Page.Locator("#admin-audit li");
        await Expect(audit.Filter(new() { HasText = $"root · redrive job {redriven}: 1 redriven" })).ToHaveCountAsync(1);
        await Expect(audit.Filter(new() { HasText = $"root · purge job {purged}: 1 purged" })).ToHaveCountAsync(1);

        if (Environment.GetEnvironmentVariable("GRIDQUEUE_ADMIN_SCREENSHOT") is { Length: > 0 } path)
        {
            // For the README: the console with work in flight and one dead letter waiting.
            using var carol = await server.CreateClientAsync("carol");
            await carol.GenerateAsync(TaskApi.Body("A hot air balloon over a canyon at sunrise"));
            flaky.Failing = true;
            await flaky.InsertDeadLetterAsync("delivery to a receiver that is down");
            await Expect(Page.Locator("#admin-tasks")).ToContainTextAsync("carol");
            await Expect(Page.Locator("li.admin-dead")).ToHaveCountAsync(1);
            await Page.ScreenshotAsync(new() { Path = path, FullPage = true });
        }

        AssertNoJavaScriptErrors();
    }

    [Fact]
    public async Task NonAdmin_GetsNoAdminView_AndTheAdminRoutesRefuseTheirToken()
    {
        var server = await StartServerAsync();
        await OpenAsync(server);
        await SignInDevAsync("mallory");

        await Expect(Page.GetByRole(AriaRole.Heading, new() { Name = "Your tasks" })).ToBeVisibleAsync();
        await Expect(Page.Locator("#admin-toggle")).ToBeHiddenAsync();
        await Expect(Page.Locator("#admin-view")).ToBeHiddenAsync();
        AllowConsoleError("the 403 this test asks for", (text, _) => text.Contains("403", StringComparison.Ordinal));
        var status = await Page.EvaluateAsync<int>(
            "async () => (await fetch('/api/v1/admin/summary', { headers: { Authorization: `Bearer ${sessionStorage.getItem('gridqueue.token')}` } })).status");
        Assert.Equal((int)HttpStatusCode.Forbidden, status);
        AssertNoJavaScriptErrors();
    }

    /// <summary>The row of a table whose first cell is <paramref name="first"/>.</summary>
    private ILocator Row(string table, string first) =>
        Page.Locator($"{table} tbody tr").Filter(new() { Has = Page.Locator($"th:text-is('{first}')") });

    /// <summary>The counts table's cell for a queue and a state.</summary>
    private ILocator Cell(string queue, string state)
    {
        var states = new[] { "available", "scheduled", "running", "retryable", "completed", "cancelled", "discarded" };
        return Page.Locator("#admin-counts tbody tr").Filter(new() { Has = Page.Locator($"th:text-is('{queue}')") }).Locator("td").Nth(Array.IndexOf(states, state));
    }
}
