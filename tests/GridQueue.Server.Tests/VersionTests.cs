using System.Diagnostics;
using System.Net;
using System.Reflection;
using GridQueue.Server.Hosting;
using GridQueue.Server.Testing;

namespace GridQueue.Server.Tests;

/// <summary>The server names its build: in <c>GET /api/v1/info</c> and with <c>GridQueue.Server --version</c>.</summary>
public sealed class VersionTests
{
    /// <summary>Read from the attribute here, not through the server's code, so a wrong value there is caught.</summary>
    private static string BuiltVersion() =>
        typeof(ServerApp).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()!.InformationalVersion;

    [Fact]
    public void BuiltVersion_IsTheSolutionsVersion()
    {
        Assert.Matches(@"^\d+\.\d+\.\d+([-+].+)?$", BuiltVersion());
    }

    [Fact]
    public async Task Info_WithoutToken_NamesTheServersVersion()
    {
        await using var server = await RunningServer.StartAsync();
        using var client = server.CreateClient();

        var (status, envelope) = await client.GetEnvelopeAsync("api/v1/info");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(BuiltVersion(), envelope.GetProperty("data").GetProperty("version").GetString());
    }

    [Fact]
    public async Task VersionOption_PrintsTheVersionAndExitsWithoutStarting()
    {
        var info = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        info.ArgumentList.Add(ServerProcess.ServerDll());
        info.ArgumentList.Add("--version");

        using var process = Process.Start(info) ?? throw new InvalidOperationException("Could not run the server.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();

        try
        {
            // A server that started instead would listen until killed: the time-out fails the test.
            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }

        Assert.True(process.ExitCode == 0, $"--version exited {process.ExitCode}: {await stdout}{await stderr}");
        Assert.Equal(BuiltVersion(), (await stdout).TrimEnd('\n', '\r'));
        Assert.Equal("", await stderr);
    }
}
