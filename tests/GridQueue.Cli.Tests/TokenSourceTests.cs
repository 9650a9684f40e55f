namespace GridQueue.Cli.Tests;

/// <summary>
/// The token from a file (<c>--token-file</c>) or from stdin (<c>--token -</c>), so it need not sit in shell history;
/// each reads the user's own task, which a wrong or missing token could not (404 or 401, never exit 0).
/// </summary>
public sealed class TokenSourceTests(DefaultServer fixture) : IClassFixture<DefaultServer>, IDisposable
{
    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("gq-cli-token-");

    [Fact]
    public async Task TokenFile_WithSurroundingWhiteSpace_IsTheToken()
    {
        using var user = await fixture.UserAsync();
        var id = await user.CreateTaskAsync();
        var file = Path.Combine(_folder.FullName, "token");
        await File.WriteAllTextAsync(file, $"  {user.Token} \n");

        var result = await CliProcess.RunAsync("status", id, "--json", "--server", fixture.Address, "--token-file", file);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(id, Json.Parse(result).GetProperty("task_id").GetString());
    }

    [Fact]
    public async Task TokenDash_ReadsOneLineOfStandardInput()
    {
        using var user = await fixture.UserAsync();
        var id = await user.CreateTaskAsync();

        var result = await CliProcess.RunAsync(
            ["status", id, "--json", "--server", fixture.Address, "--token", "-"], standardInput: user.Token + "\nnot the token\n");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(id, Json.Parse(result).GetProperty("task_id").GetString());
    }

    [Fact]
    public async Task TokenDash_WithEmptyStandardInput_ExitsTwo()
    {
        var result = await CliProcess.RunAsync(["list", "--server", fixture.Address, "--token", "-"], standardInput: "");

        AssertUsageError(result, "--token -");
    }

    [Theory]
    [InlineData("missing")]
    [InlineData("folder")]
    [InlineData("empty")]
    public async Task TokenFile_MissingUnreadableOrEmpty_ExitsTwoNamingTheOption(string kind)
    {
        var path = Path.Combine(_folder.FullName, kind);
        if (kind == "folder")
        {
            Directory.CreateDirectory(path);
        }
        else if (kind == "empty")
        {
            await File.WriteAllTextAsync(path, " \n");
        }

        var result = await CliProcess.RunAsync("list", "--server", fixture.Address, "--token-file", path);

        AssertUsageError(result, "--token-file");
        Assert.Contains(path, result.ErrorLines[0], StringComparison.Ordinal);
    }

    [Fact]
    public async Task TokenAndTokenFile_Together_ExitTwoNamingBoth()
    {
        using var user = await fixture.UserAsync();
        var file = Path.Combine(_folder.FullName, "token");
        await File.WriteAllTextAsync(file, user.Token);

        var result = await CliProcess.RunAsync("list", "--server", fixture.Address, "--token", user.Token, "--token-file", file);

        AssertUsageError(result, "--token-file");
        Assert.Contains("--token ", result.ErrorLines[0], StringComparison.Ordinal);
    }

    public void Dispose() => _folder.Delete(recursive: true);

    private static void AssertUsageError(CliResult result, string named)
    {
        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Equal("", result.Out);
        Assert.StartsWith("error: ", result.ErrorLines[0], StringComparison.Ordinal);
        Assert.Contains(named, result.ErrorLines[0], StringComparison.Ordinal);
    }
}
