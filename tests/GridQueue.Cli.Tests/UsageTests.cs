namespace GridQueue.Cli.Tests;

/// <summary>Command lines the tool refuses before talking to any server (exit 2), and the help.</summary>
public sealed class UsageTests
{
    // No server listens there: a usage error must be found before any connection.
    private const string NoServer = "http://127.0.0.1:9/";

    [Theory]
    [InlineData("--bogus", "submit", "a kite", "--model", "sora-2", "--bogus")]
    [InlineData("--model", "submit", "a kite")]
    [InlineData("--duration", "submit", "a kite", "--model", "sora-2", "--duration", "ten")]
    [InlineData("--duration", "submit", "a kite", "--model", "sora-2", "--duration", "61")]
    [InlineData("16:10", "submit", "a kite", "--model", "sora-2", "--aspect-ratio", "16:10")]
    [InlineData("prompt", "submit", "--model", "sora-2")]
    [InlineData("frobnicate", "frobnicate")]
    [InlineData("task-id", "status")]
    [InlineData("--limit", "list", "--limit", "0")]
    [InlineData("bogus", "list", "--status", "bogus")]
    public async Task BadCommandLine_ExitsTwoWithOneLineAndAHint(string named, params string[] args)
    {
        var result = await CliProcess.RunAsync([.. args, "--server", NoServer, "--token", "x.y.z"]);

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Equal("", result.Out);
        Assert.Equal(2, result.ErrorLines.Length);
        Assert.StartsWith("error: ", result.ErrorLines[0], StringComparison.Ordinal);
        Assert.Contains(named, result.ErrorLines[0], StringComparison.Ordinal);
        var command = args[0] == "frobnicate" ? "gridqueue" : $"gridqueue {args[0]}";
        Assert.Equal($"Run '{command} --help'.", result.ErrorLines[1]);
    }

    [Fact]
    public async Task NoCommand_ExitsTwo()
    {
        var result = await CliProcess.RunAsync();

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Equal("Run 'gridqueue --help'.", result.ErrorLines[^1]);
    }

    [Fact]
    public async Task Help_ListsCommandsExamplesAndExitCodes()
    {
        var result = await CliProcess.RunAsync("--help");

        Assert.True(result.ExitCode == 0, result.ToString());
        foreach (var text in new[] { "submit", "status", "list", "watch", "cancel", "retry", "token", "--server", "--token", "--token-file", "--json", "GRIDQUEUE_SERVER", "GRIDQUEUE_TOKEN" })
        {
            Assert.Contains(text, result.Out, StringComparison.Ordinal);
        }

        Assert.Contains("gridqueue submit \"a red kite over the sea\" --model sora-2 --wait", result.Out, StringComparison.Ordinal);
        Assert.Contains("Exit codes:", result.Out, StringComparison.Ordinal);
        foreach (var code in new[] { "0", "1", "2", "3", "4", "130" })
        {
            Assert.Contains(result.OutLines, l => l.TrimStart().StartsWith(code + " ", StringComparison.Ordinal));
        }
    }

    [Theory]
    [InlineData("submit", "--wait")]
    [InlineData("status", "task-id")]
    [InlineData("list", "--cursor")]
    [InlineData("watch", "Ctrl+C")]
    [InlineData("cancel", "BAD_REQUEST")]
    [InlineData("retry", "--wait")]
    [InlineData("token", "export GRIDQUEUE_TOKEN=$(gridqueue token alice)")]
    public async Task CommandHelp_DescribesTheCommandWithExamples(string command, string expected)
    {
        var result = await CliProcess.RunAsync(command, "--help");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains($"gridqueue {command}", result.Out, StringComparison.Ordinal);
        Assert.Contains(expected, result.Out, StringComparison.Ordinal);
        Assert.Contains("Examples:", result.Out, StringComparison.Ordinal);
        Assert.Contains("--json", result.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Version_PrintsTheToolsInformationalVersion()
    {
        var result = await CliProcess.RunAsync("--version");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Matches(@"^\d+\.\d+\.\d+", result.Out);

        // The informational version is the file's product version; read from the file, not from the tool's code.
        var built = System.Diagnostics.FileVersionInfo.GetVersionInfo(CliProcess.ToolDll()).ProductVersion;
        Assert.False(string.IsNullOrEmpty(built));
        Assert.Equal([built], result.OutLines);
    }
}
