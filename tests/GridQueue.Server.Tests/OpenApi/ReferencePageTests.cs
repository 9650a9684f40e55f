using System.Net;
using System.Text.RegularExpressions;
using GridQueue.Server.Testing;

namespace GridQueue.Server.Tests.OpenApi;

/// <summary>The API reference page is served by the server, with its script, and points at the OpenAPI document.</summary>
public sealed partial class ReferencePageTests(OpenApiServersFixture fixture) : IClassFixture<OpenApiServersFixture>
{
    [Fact]
    public async Task Reference_IsServedWithItsScriptFromThisServer_AndReferencesTheDocument()
    {
        using var client = fixture.Server.CreateClient();
        using var page = await client.GetAsync("reference/");
        var html = await page.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        Assert.Contains("script-src 'self'", page.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);

        // Every script and stylesheet comes from this server (nothing to fetch from the network at run time).
        var assets = Asset().Matches(html).Select(m => m.Groups["url"].Value).ToList();
        Assert.Contains("reference.js", assets);
        foreach (var asset in assets)
        {
            Assert.False(asset.Contains("//", StringComparison.Ordinal), $"{asset} is not on this server");
            using var answer = await client.GetAsync(new Uri(new Uri(client.BaseAddress!, "reference/"), asset));
            Assert.True(answer.StatusCode == HttpStatusCode.OK, $"{asset} answered {(int)answer.StatusCode}");
        }

        // The page names the document; resolved against the page's address it is the route that serves it.
        var documentUrl = DocumentAttribute().Match(html).Groups["url"].Value;
        Assert.Equal(new Uri(client.BaseAddress!, ContractDocument.Path), new Uri(new Uri(client.BaseAddress!, "reference/"), documentUrl));
        var script = await client.GetStringAsync("reference/reference.js");
        Assert.Contains("fetch(documentUrl", script, StringComparison.Ordinal);
        using var document = await client.GetAsync(new Uri(new Uri(client.BaseAddress!, "reference/"), documentUrl));
        Assert.Equal(HttpStatusCode.OK, document.StatusCode);
    }

    [Fact]
    public async Task Reference_WithoutTrailingSlash_RedirectsToThePage()
    {
        using var handler = new HttpClientHandler { AllowAutoRedirect = false };
        using var client = new HttpClient(handler) { BaseAddress = fixture.Server.Address };
        using var answer = await client.GetAsync("reference");
        Assert.Equal(HttpStatusCode.MovedPermanently, answer.StatusCode);
        Assert.EndsWith("/reference/", answer.Headers.Location!.ToString(), StringComparison.Ordinal);
    }

    [GeneratedRegex("""(?:src|href)="(?<url>[^"#]+\.(?:js|css))"\s""")]
    private static partial Regex Asset();

    [GeneratedRegex("""data-document="(?<url>[^"]+)""")]
    private static partial Regex DocumentAttribute();
}
