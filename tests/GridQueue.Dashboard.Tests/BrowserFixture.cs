using Microsoft.Playwright;

namespace GridQueue.Dashboard.Tests;

/// <summary>
/// One headless Chromium (Debian's, at /usr/bin/chromium; Playwright's own browser download is not used) shared by
/// every dashboard test; each test gets a new browser context. Playwright gives each launch a fresh temporary
/// profile directory of its own.
/// </summary>
public sealed class BrowserFixture : IAsyncLifetime
{
    public const string ChromiumPath = "/usr/bin/chromium";

    public IPlaywright Playwright { get; private set; } = null!;

    public IBrowser Browser { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Assertions.SetDefaultExpectTimeout(15_000);
        Playwright = await Microsoft.Playwright.Playwright.CreateAsync();
        Browser = await Playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args =
            [
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        });
    }

    public async Task DisposeAsync()
    {
        await Browser.CloseAsync();
        Playwright.Dispose();
    }
}

/// <summary>The dashboard tests run one at a time (a browser and a server each; the machine is small).</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class DashboardTestGroup : ICollectionFixture<BrowserFixture>
{
    public const string Name = "Dashboard";
}
