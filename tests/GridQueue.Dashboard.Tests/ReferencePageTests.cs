using System.Text.Json;
using GridQueue.Server.Testing;
using Microsoft.Playwright;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace GridQueue.Dashboard.Tests;

/// <summary>
/// The API reference page in a real browser: it renders every operation of the server's OpenAPI document and every
/// schema, and asks nothing of any host but the server (it must work on a machine without internet).
/// </summary>
public sealed class ReferencePageTests(BrowserFixture browser, ITestOutputHelper output) : DashboardTest(browser, output)
{
    [Fact]
    public async Task Reference_RendersEveryOperationAndSchema_WithRequestsOnlyToTheServer()
    {
        var server = await StartServerAsync();
        using var client = server.CreateClient();
        using var document = JsonDocument.Parse(await client.GetStringAsync("openapi/v1.json"));
        var operations = document.RootElement.GetProperty("paths").EnumerateObject()
            .SelectMany(p => p.Value.EnumerateObject().Select(o => $"{o.Name.ToUpperInvariant()} {p.Name}"))
            .Order(StringComparer.Ordinal).ToList();
        var schemas = document.RootElement.GetProperty("components").GetProperty("schemas").EnumerateObject().Select(s => s.Name).ToList();

        var requests = new List<string>();
        var page = await OpenPageAsync(new Uri(server.Address, "reference"));
        page.Request += (_, request) => requests.Add(request.Url);
        await page.ReloadAsync();

        await Expect(page.Locator("section.operation")).ToHaveCountAsync(operations.Count);
        var rendered = new List<string>();
        foreach (var section in await page.Locator("section.operation").AllAsync())
        {
            rendered.Add($"{await section.GetAttributeAsync("data-method")} {await section.GetAttributeAsync("data-path")}");
        }

        Assert.Equal(operations, rendered.Order(StringComparer.Ordinal));
        foreach (var schema in schemas)
        {
            await Expect(page.Locator($"section#schema-{schema}")).ToBeVisibleAsync();
        }

        // The generate operation shows its headers and its body's schema as a link to the schema.
        var generate = page.Locator("section.operation[data-path='/api/v1/video/generate']");
        await Expect(generate).ToContainTextAsync("Idempotency-Key");
        await Expect(generate.GetByRole(AriaRole.Link, new() { Name = "GenerateRequest" })).ToHaveAttributeAsync("href", "#schema-GenerateRequest");
        await Expect(page.Locator("#version")).ToContainTextAsync("OpenAPI 3.1");

        Assert.Contains(requests, r => r.EndsWith("/openapi/v1.json", StringComparison.Ordinal));
        var elsewhere = requests.Where(r => !r.StartsWith(server.Address.GetLeftPart(UriPartial.Authority), StringComparison.Ordinal)).ToList();
        Assert.True(elsewhere.Count == 0, $"The page asked other hosts: {string.Join(", ", elsewhere)}");
        AssertNoJavaScriptErrors();
    }
}
