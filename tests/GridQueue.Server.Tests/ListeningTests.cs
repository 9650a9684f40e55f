using System.Net;
using GridQueue.Server.Testing;

namespace GridQueue.Server.Tests;

/// <summary>
/// The server program (a child process, configured only through its environment) listens where ASP.NET Core's own
/// settings say, as the official container images and service managers set them, and keeps its data in one folder.
/// </summary>
public sealed class ListeningTests : IAsyncLifetime
{
    private readonly ServerProcessGroup _servers = new("gq-listen-test-");

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _servers.DisposeAsync();

    [Theory]
    [InlineData("ASPNETCORE_HTTP_PORTS", "{port}")]
    [InlineData("ASPNETCORE_URLS", "http://127.0.0.1:{port}")]
    [InlineData("Kestrel__Endpoints__Http__Url", "http://127.0.0.1:{port}")]
    public async Task ListeningSetting_WithoutUrlsArgument_ServesOnThatPort(string setting, string value)
    {
        var port = ServerProcess.FreePort();
        var environment = Environment();
        environment[setting] = value.Replace("{port}", port.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);

        var server = await _servers.StartAsync(environment, setting, listensOn: port);

        using var client = server.CreateClient();
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("readyz")).StatusCode);
        Assert.Contains(server.Output, line => line.Contains($":{port}", StringComparison.Ordinal) && line.Contains("Now listening on", StringComparison.Ordinal));
    }

    [Fact]
    public async Task DataDirectory_Absolute_HoldsTheDatabaseAndTheKeyRing_WhateverTheWorkingDirectory()
    {
        var data = Path.Combine(_servers.Folder, "elsewhere", "gridqueue-data");
        var environment = Environment();
        environment["Storage__DataDirectory"] = data;
        var server = await _servers.StartAsync(environment, "data-directory");

        // A user's own key is encrypted with the key ring, which is made on first use.
        using var client = await server.CreateClientAsync("data-alice");
        await client.GenerateAsync(TaskApi.Body("a kite"), new Dictionary<string, string> { ["X-User-Api-Key"] = "alice-own-key" });

        Assert.True(File.Exists(Path.Combine(data, "gridqueue.db")), "the database is in the data directory");
        Assert.NotEmpty(Directory.GetFiles(Path.Combine(data, "keys"), "key-*.xml"));
        Assert.False(Directory.Exists(Path.Combine(_servers.Folder, "data")), "nothing was written under the working directory");
    }

    private static Dictionary<string, string> Environment() => new(StringComparer.Ordinal)
    {
        ["Auth__Mode"] = "dev",
        ["ASPNETCORE_ENVIRONMENT"] = "Development",
    };
}
