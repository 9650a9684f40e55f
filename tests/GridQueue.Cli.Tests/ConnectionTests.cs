using System.Text.Json;
using GridQueue.Server.Testing;

namespace GridQueue.Cli.Tests;

/// <summary>Where the server and the token come from, and what happens when the server is missing or says no.</summary>
public sealed class ConnectionTests(DefaultServer fixture) : IClassFixture<DefaultServer>
{
    [Fact]
    public async Task ServerAndToken_ComeFromTheEnvironment()
    {
        using var user = await fixture.UserAsync();
        var id = await user.CreateTaskAsync();
        var environment = new Dictionary<string, string>
        {
            ["GRIDQUEUE_SERVER"] = fixture.Address.TrimEnd('/'),
            ["GRIDQUEUE_TOKEN"] = user.Token,
        };

        var result = await CliProcess.RunAsync(["status", id, "--json"], environment);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(id, Json.Parse(result).Id());
    }

    [Fact]
    public async Task Options_WinOverTheEnvironment()
    {
        using var user = await fixture.UserAsync();
        var id = await user.CreateTaskAsync();
        var environment = new Dictionary<string, string>
        {
            ["GRIDQUEUE_SERVER"] = $"http://127.0.0.1:{ServerProcess.FreePort()}",
            ["GRIDQUEUE_TOKEN"] = "not-a-token",
        };

        var result = await CliProcess.RunAsync(user.Args("status", id), environment);

        Assert.True(result.ExitCode == 0, result.ToString());
    }

    [Fact]
    public async Task NoToken_ExitsTwoNamingTheOptionAndTheVariable()
    {
        var result = await CliProcess.RunAsync("list", "--server", fixture.Address);

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Equal("", result.Out);
        Assert.Contains("--token", result.ErrorLines[0], StringComparison.Ordinal);
        Assert.Contains("GRIDQUEUE_TOKEN", result.ErrorLines[0], StringComparison.Ordinal);
        Assert.Equal("Run 'gridqueue list --help'.", result.ErrorLines[^1]);
    }

    [Fact]
    public async Task UnreachableServer_ExitsFourNamingTheUrl()
    {
        var url = $"http://127.0.0.1:{ServerProcess.FreePort()}/";

        var result = await CliProcess.RunAsync("status", "tsk_x", "--server", url, "--token", "some.jwt.token");

        Assert.True(result.ExitCode == 4, result.ToString());
        Assert.Contains(url, result.Error, StringComparison.Ordinal);
        Assert.Contains("--server", result.Error, StringComparison.Ordinal);
        Assert.Contains("GRIDQUEUE_SERVER", result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("some.jwt.token", result.Error, StringComparison.Ordinal);

        var json = await CliProcess.RunAsync("status", "tsk_x", "--server", url, "--token", "some.jwt.token", "--json");
        Assert.True(json.ExitCode == 4, json.ToString());
        var error = Json.Parse(json).GetProperty("error");
        Assert.Equal("CONNECTION_FAILED", error.GetProperty("code").GetString());
        Assert.Equal(url, error.GetProperty("details").GetProperty("server").GetString());
    }

    [Fact]
    public async Task UnknownTask_ExitsThreeWithNotFound()
    {
        using var user = await fixture.UserAsync();

        var result = await user.RunAsync("status", "tsk_00000000000000000000000000");

        Assert.True(result.ExitCode == 3, result.ToString());
        Assert.StartsWith("error: NOT_FOUND: ", result.Error, StringComparison.Ordinal);
        Assert.Equal("", result.Out);
    }

    [Fact]
    public async Task UnknownTask_Json_PrintsTheErrorObject()
    {
        using var user = await fixture.UserAsync();

        var result = await user.RunAsync("cancel", "tsk_00000000000000000000000000", "--json");

        Assert.True(result.ExitCode == 3, result.ToString());
        var error = Json.Parse(result).GetProperty("error");
        Assert.Equal("NOT_FOUND", error.GetProperty("code").GetString());
        Assert.False(string.IsNullOrWhiteSpace(error.GetProperty("message").GetString()));
        Assert.Equal(JsonValueKind.Object, error.GetProperty("details").ValueKind);
    }

    [Fact]
    public async Task TaskOfAnotherUser_IsNotFound()
    {
        using var owner = await fixture.UserAsync("owner");
        using var other = await fixture.UserAsync("other");
        var id = await owner.CreateTaskAsync();

        var result = await other.RunAsync("status", id);

        Assert.True(result.ExitCode == 3, result.ToString());
        Assert.StartsWith("error: NOT_FOUND: ", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task BadToken_ExitsThreeWithUnauthorized_WithoutPrintingTheToken()
    {
        var result = await CliProcess.RunAsync("list", "--server", fixture.Address, "--token", "bad.token.value");

        Assert.True(result.ExitCode == 3, result.ToString());
        Assert.StartsWith("error: UNAUTHORIZED: ", result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("bad.token.value", result.Error + result.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ServerThatIsNotAnUrl_IsAUsageError()
    {
        var result = await CliProcess.RunAsync(["list", "--token", "x"], new Dictionary<string, string> { ["GRIDQUEUE_SERVER"] = "localhost:5080" });

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Contains("GRIDQUEUE_SERVER", result.ErrorLines[0], StringComparison.Ordinal);
    }
}
