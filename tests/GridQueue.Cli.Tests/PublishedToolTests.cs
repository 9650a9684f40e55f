using System.Xml.Linq;
using GridQueue.Server.Testing;

namespace GridQueue.Cli.Tests;

/// <summary>
/// The self-contained single-file tool from scripts/publish-cli.sh, run as it is handed to a user: the one file it
/// wrote, against a real server. Trimming would show here first (a type the trimmer dropped fails at run time).
/// </summary>
public sealed class PublishedToolTests(PublishedTool tool, DefaultServer fixture)
    : IClassFixture<PublishedTool>, IClassFixture<DefaultServer>, IDisposable
{
    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("gq-cli-published-");

    [Fact]
    public void Publish_WritesOneExecutableFile_AndNothingElse()
    {
        var entries = Directory.GetFileSystemEntries(tool.Folder);

        Assert.Equal([tool.Executable], entries);
        if (!OperatingSystem.IsWindows())
        {
            Assert.True(File.GetUnixFileMode(tool.Executable).HasFlag(UnixFileMode.UserExecute), $"{tool.Executable} is not executable.");
        }
    }

    [Fact]
    public async Task Version_IsTheVersionOfDirectoryBuildProps()
    {
        var version = XDocument.Load(Path.Combine(BuiltProgram.RepositoryRoot(), "Directory.Build.props"))
            .Descendants("Version").Single().Value;

        var result = await CliProcess.RunAsync(["--version"], executable: tool.Executable);

        Assert.True(result.ExitCode == 0, result.ToString());
        var line = Assert.Single(result.OutLines);
        // The build appends "+<commit>" in a git checkout.
        Assert.Matches($"^{System.Text.RegularExpressions.Regex.Escape(version)}(\\+[0-9a-f]+)?$", line);
    }

    [Fact]
    public async Task SubmitWaitAndStatus_WithTokenFile_TalkToTheServer()
    {
        using var user = await fixture.UserAsync();
        var tokenFile = Path.Combine(_folder.FullName, "token");
        await File.WriteAllTextAsync(tokenFile, user.Token);
        string[] connection = ["--server", fixture.Address, "--token-file", tokenFile];

        // --wait follows the task over the event stream to its end and prints the video URL.
        var submit = await CliProcess.RunAsync(["submit", "a red kite over the sea", "--model", "sora-2", "--wait", .. connection], executable: tool.Executable);

        Assert.True(submit.ExitCode == 0, submit.ToString());
        var tasks = (await user.Api.GetEnvelopeAsync("api/v1/video/tasks")).Envelope.GetProperty("data").GetProperty("items");
        var task = Assert.Single(tasks.EnumerateArray());
        Assert.Equal("succeeded", task.Status());
        Assert.Equal([task.GetProperty("video_url").GetString()!], submit.OutLines);

        var id = task.GetProperty("task_id").GetString()!;
        var status = await CliProcess.RunAsync(["status", id, "--json", .. connection], executable: tool.Executable);

        Assert.True(status.ExitCode == 0, status.ToString());
        var shown = Json.Parse(status);
        Json.AssertTask(shown);
        Assert.Equal(id, shown.GetProperty("task_id").GetString());
        Assert.Equal("succeeded", shown.GetProperty("status").GetString());
        Assert.Equal(user.Id, shown.GetProperty("user_id").GetString());
    }

    public void Dispose() => _folder.Delete(recursive: true);
}
