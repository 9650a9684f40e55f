using GridQueue.Server.Testing;
using Microsoft.Playwright;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace GridQueue.Dashboard.Tests;

/// <summary>The empty list, the server's validation errors at their fields, and a phone-sized screen.</summary>
public sealed class FormAndLayoutTests(BrowserFixture browser, ITestOutputHelper output) : DashboardTest(browser, output)
{
    [Fact]
    public async Task EmptyList_And_ServerValidationError_ShownAtPromptField()
    {
        var server = await StartServerAsync();
        await OpenAsync(server);
        // The server's 400 answer to the bad prompt is logged by the browser as a failed resource.
        AllowConsoleError("the server rejects the prompt", (text, location) =>
            text.Contains("status of 400", StringComparison.Ordinal) && location.Contains("/api/v1/video/generate", StringComparison.Ordinal));
        await SignInDevAsync("eve");
        await Expect(Page.GetByText("No tasks yet")).ToBeVisibleAsync();

        // Hold the request, to see the button disabled while it is on its way.
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await Page.RouteAsync("**/api/v1/video/generate", async route =>
        {
            await release.Task;
            await route.ContinueAsync();
        });
        var prompt = Page.GetByLabel("Prompt");
        var generate = Page.GetByRole(AriaRole.Button, new() { Name = "Generate" });
        await prompt.FillAsync("     ");
        await generate.ClickAsync();
        await Expect(generate).ToBeDisabledAsync();
        release.SetResult();

        var error = Page.Locator("#prompt-error");
        await Expect(error).ToBeVisibleAsync();
        await Expect(error).ToHaveTextAsync("Prompt is required and must not be blank.");
        await Expect(prompt).ToHaveAttributeAsync("aria-invalid", "true");
        await Expect(prompt).ToHaveAccessibleDescriptionAsync(new System.Text.RegularExpressions.Regex("must not be blank"));
        await Expect(prompt).ToBeFocusedAsync();
        await Expect(generate).ToBeEnabledAsync();
        await Expect(Page.GetByText("No tasks yet")).ToBeVisibleAsync();

        // Editing the field clears its error; a good prompt then goes through.
        await prompt.FillAsync("A quiet harbour at dawn");
        await Expect(error).ToBeHiddenAsync();
        await Expect(prompt).Not.ToHaveAttributeAsync("aria-invalid", "true");
        await generate.ClickAsync();
        await Expect(Page.Locator("li.task")).ToHaveCountAsync(1);
        await Expect(Page.GetByText("No tasks yet")).ToBeHiddenAsync();
        AssertNoJavaScriptErrors();
    }

    [Fact]
    public async Task ServerValidationErrorOfOneImage_KeyedByIndex_ShownAtImageUrlsField()
    {
        var server = await StartServerAsync();
        await OpenAsync(server);
        AllowConsoleError("the server rejects the image", (text, location) =>
            text.Contains("status of 400", StringComparison.Ordinal) && location.Contains("/api/v1/video/generate", StringComparison.Ordinal));
        await SignInDevAsync("ivy");

        // The server keys a per-image problem images[1]; the form has one field for all images.
        var images = Page.GetByLabel("Image URLs");
        await Page.GetByLabel("Prompt").FillAsync("A lighthouse in fog");
        await images.FillAsync("https://img.example/a.png\nnot a url");
        await Page.GetByRole(AriaRole.Button, new() { Name = "Generate" }).ClickAsync();

        var error = Page.Locator("#images-error");
        await Expect(error).ToBeVisibleAsync();
        await Expect(error).ToHaveTextAsync("Image 2 must be an http(s) URL or a data:image/... URI.");
        await Expect(images).ToHaveAttributeAsync("aria-invalid", "true");
        await Expect(images).ToBeFocusedAsync();
        await Expect(Page.Locator("#task-form-error")).ToBeHiddenAsync();
        AssertNoJavaScriptErrors();
    }

    [Fact]
    public async Task NarrowScreen_360px_NoHorizontalScrollAndEveryControlReachableByTab()
    {
        var server = await StartServerAsync();
        await OpenAsync(server, 360, 740);
        Assert.True(await ScrollWidthAsync() <= 360, $"The sign-in page is {await ScrollWidthAsync()} px wide at 360 px.");
        await AssertEveryControlReachableByTabAsync();

        await SignInDevAsync("fay");
        await SubmitAsync("An extremely_long_prompt_without_any_spaces_that_must_wrap_instead_of_making_the_page_scroll_sideways_" + new string('x', 120));
        using var client = await server.CreateClientAsync("fay");
        var task = await NewestTaskAsync(client);
        var row = Row(task.Id());
        await Expect(StatusOf(row)).ToHaveTextAsync("succeeded");
        await Expect(row.GetByRole(AriaRole.Link, new() { Name = "Open video" })).ToBeVisibleAsync();
        // A second task still running, so a Cancel button is on the page too.
        await client.GenerateAsync(new { prompt = "A slow sunrise", model = "sora-2" });
        await Expect(Page.GetByRole(AriaRole.Button, new() { Name = "Cancel" })).ToBeVisibleAsync();

        Assert.True(await ScrollWidthAsync() <= 360, $"The dashboard is {await ScrollWidthAsync()} px wide at 360 px.");
        await AssertEveryControlReachableByTabAsync();
        AssertNoJavaScriptErrors();
    }

    private Task<int> ScrollWidthAsync() => Page.EvaluateAsync<int>("() => document.documentElement.scrollWidth");

    /// <summary>Tabs through the page and checks that every visible, enabled control got the focus once.</summary>
    private async Task AssertEveryControlReachableByTabAsync()
    {
        var count = await Page.EvaluateAsync<int>("""
            () => {
              const controls = [...document.querySelectorAll('a[href], button, input, select, textarea')]
                .filter(e => !e.disabled && e.getClientRects().length > 0 && !e.closest('[hidden], #toasts'));
              controls.forEach((e, i) => e.dataset.tabCheck = String(i));
              document.activeElement?.blur();
              return controls.length;
            }
            """);
        Assert.True(count > 0);
        var reached = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < count * 2 + 4 && reached.Count < count; i++)
        {
            await Page.Keyboard.PressAsync("Tab");
            var id = await Page.EvaluateAsync<string?>("() => document.activeElement?.dataset?.tabCheck ?? null");
            if (id is not null)
            {
                reached.Add(id);
            }
        }

        var missed = await Page.EvaluateAsync<string[]>(
            """
            reached => [...document.querySelectorAll('[data-tab-check]')]
              .filter(e => !reached.includes(e.dataset.tabCheck) && !e.disabled && e.getClientRects().length > 0)
              .map(e => `${e.tagName.toLowerCase()} "${e.getAttribute('aria-label') ?? e.textContent.trim() ?? e.id}" #${e.id}`)
            """,
            reached.ToArray());
        Assert.True(missed.Length == 0, "Not reachable with Tab: " + string.Join(", ", missed));
    }
}
