using System.Globalization;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using GridQueue.Server.Testing;
using Microsoft.Playwright;
using Xunit.Abstractions;

namespace GridQueue.Dashboard.Tests;

/// <summary>
/// What every dashboard test shares: servers it starts (stopped at the end), a browser context and page, and a check
/// that the page logged no JavaScript error (a console error or an uncaught exception) the test did not expect.
/// </summary>
[Collection(DashboardTestGroup.Name)]
public abstract class DashboardTest(BrowserFixture browser, ITestOutputHelper output) : IAsyncLifetime
{
    private readonly List<RunningServer> _servers = [];
    private readonly List<string> _folders = [];
    private readonly List<string> _errors = [];
    private readonly List<(string Reason, Func<string, string, bool> Match)> _allowed = [];
    private IBrowserContext? _context;

    protected IPage Page { get; private set; } = null!;

    protected ITestOutputHelper Output => output;

    protected ILocator Connection => Page.Locator("#connection");

    protected ILocator Toasts => Page.Locator("#toasts .toast");

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (_context is not null)
        {
            await _context.CloseAsync();
        }

        for (var i = _servers.Count - 1; i >= 0; i--)
        {
            await DisposeQuietlyAsync(_servers[i]);
        }

        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        foreach (var folder in _folders)
        {
            try
            {
                Directory.Delete(folder, recursive: true);
            }
            catch (IOException)
            {
                // A file still open; the temporary folder is left for the OS to clean.
            }
        }
    }

    /// <summary>Starts the real server (dev auth and the short simulator unless <paramref name="settings"/> say otherwise).</summary>
    protected async Task<RunningServer> StartServerAsync(Dictionary<string, string?>? settings = null, string? folder = null, int port = 0)
    {
        var server = await RunningServer.StartAsync(settings, folder, port);
        _servers.Add(server);
        return server;
    }

    /// <summary>A temporary folder for a server's database that outlives one server (a restart).</summary>
    protected string NewFolder()
    {
        var folder = Directory.CreateTempSubdirectory("gq-dashboard-test-").FullName;
        _folders.Add(folder);
        return folder;
    }

    /// <summary>Opens the dashboard of <paramref name="server"/> in a new browser context (the system's colour scheme emulated as <paramref name="colorScheme"/>, if given).</summary>
    protected async Task<IPage> OpenAsync(RunningServer server, int width = 1280, int height = 800, ColorScheme? colorScheme = null)
    {
        ArgumentNullException.ThrowIfNull(server);
        await NewPageAsync(server.Address.ToString(), width, height, colorScheme);
        await Page.GotoAsync("/");
        return Page;
    }

    /// <summary>Opens <paramref name="url"/>, a page that is not the dashboard (another origin's), in a new browser context.</summary>
    protected async Task<IPage> OpenPageAsync(Uri url)
    {
        ArgumentNullException.ThrowIfNull(url);
        await NewPageAsync(null, 1280, 800, null);
        await Page.GotoAsync(url.ToString());
        return Page;
    }

    private async Task NewPageAsync(string? baseUrl, int width, int height, ColorScheme? colorScheme)
    {
        _context = await browser.Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = baseUrl,
            ViewportSize = new ViewportSize { Width = width, Height = height },
            ColorScheme = colorScheme,
        });
        _context.SetDefaultTimeout(15_000);
        Page = await _context.NewPageAsync();
        Page.Console += (_, message) =>
        {
            if (message.Type != "error")
            {
                return;
            }

            var text = message.Text;
            var location = message.Location ?? string.Empty;
            var allowed = _allowed.FirstOrDefault(a => a.Match(text, location));
            if (allowed.Match is not null)
            {
                output.WriteLine($"Expected console error ({allowed.Reason}): {text} at {location}");
                return;
            }

            lock (_errors)
            {
                _errors.Add($"console error: {text} at {location}");
            }
        };
        Page.PageError += (_, error) =>
        {
            lock (_errors)
            {
                _errors.Add($"page error: {error}");
            }
        };
    }

    /// <summary>Lets the test's page log a console error that matches (text, location); nothing else is accepted.</summary>
    protected void AllowConsoleError(string reason, Func<string, string, bool> match) => _allowed.Add((reason, match));

    protected void AssertNoJavaScriptErrors()
    {
        lock (_errors)
        {
            Assert.True(_errors.Count == 0, "The page logged errors:\n" + string.Join("\n", _errors));
        }
    }

    protected async Task SignInDevAsync(string userId)
    {
        await Page.GetByLabel("User id").FillAsync(userId);
        await Page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Assertions.Expect(Page.GetByRole(AriaRole.Heading, new() { Name = "Your tasks" })).ToBeVisibleAsync();
        await Assertions.Expect(Page.Locator("#user-name")).ToHaveTextAsync(userId);
        await Assertions.Expect(Connection).ToHaveTextAsync("Live");
    }

    protected async Task SubmitAsync(string prompt)
    {
        await Page.GetByLabel("Prompt").FillAsync(prompt);
        await Page.GetByRole(AriaRole.Button, new() { Name = "Generate" }).ClickAsync();
    }

    /// <summary>The row of a task in the list.</summary>
    protected ILocator Row(string taskId) => Page.Locator($"li.task[data-task-id='{taskId}']");

    protected static ILocator StatusOf(ILocator row) => row.Locator(".task-status");

    /// <summary>The user's newest task, read through the API (waits until there is one).</summary>
    protected static async Task<JsonElement> NewestTaskAsync(HttpClient client)
    {
        ArgumentNullException.ThrowIfNull(client);
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (true)
        {
            var page = await client.GetFromJsonAsync<JsonElement>("api/v1/video/tasks?limit=1");
            var items = page.GetProperty("data").GetProperty("items");
            if (items.GetArrayLength() > 0)
            {
                return items[0];
            }

            Assert.True(DateTime.UtcNow < deadline, "The task made in the page never showed up in the API.");
            await Task.Delay(100);
        }
    }

    /// <summary>An HS256 JWT made by hand, as an identity provider (e.g. Supabase) would sign it.</summary>
    protected static string MakeJwt(string secret, string subject, TimeSpan lifetime)
    {
        var now = DateTimeOffset.UtcNow;
        var header = Encode(Encoding.UTF8.GetBytes("""{"alg":"HS256","typ":"JWT"}"""));
        var payload = Encode(JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, object>
        {
            ["sub"] = subject,
            ["iat"] = now.ToUnixTimeSeconds(),
            ["exp"] = now.Add(lifetime).ToUnixTimeSeconds(),
            ["role"] = "authenticated",
        }));
        var signature = Encode(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.ASCII.GetBytes($"{header}.{payload}")));
        return $"{header}.{payload}.{signature}";

        static string Encode(byte[] bytes) => System.Buffers.Text.Base64Url.EncodeToString(bytes);
    }

    protected static string Seconds(double seconds) => TimeSpan.FromSeconds(seconds).ToString("c", CultureInfo.InvariantCulture);

    private static async Task DisposeQuietlyAsync(RunningServer server)
    {
        try
        {
            await server.DisposeAsync();
        }
        catch (Exception e) when (e is InvalidOperationException or ObjectDisposedException or OperationCanceledException)
        {
            // Already stopped by the test (a restart).
        }
    }
}
