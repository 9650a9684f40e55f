namespace GridQueue.Server.Testing;

/// <summary>
/// The server processes of one test and the temporary folder they share (database, keys): a restart is a new
/// process in the same folder. Disposing kills any still running and removes the folder.
/// </summary>
public sealed class ServerProcessGroup(string folderPrefix) : IAsyncDisposable
{
    private readonly List<ServerProcess> _servers = [];

    /// <summary>The working directory of every server of the group.</summary>
    public string Folder { get; } = Directory.CreateTempSubdirectory(folderPrefix).FullName;

    /// <summary>Every server started so far, oldest first.</summary>
    public IReadOnlyList<ServerProcess> Servers => _servers;

    /// <summary>Starts a server in <see cref="Folder"/> (see <see cref="ServerProcess.StartAsync"/>).</summary>
    public async Task<ServerProcess> StartAsync(IReadOnlyDictionary<string, string> environment, string name, int? listensOn = null)
    {
        var server = await ServerProcess.StartAsync(environment, name, Folder, listensOn: listensOn);
        _servers.Add(server);
        return server;
    }

    /// <summary>The output of every server, for a failure report.</summary>
    public string Tails(int lines = 400) => string.Join(Environment.NewLine, _servers.Select(s => s.Tail(lines)));

    public async ValueTask DisposeAsync()
    {
        foreach (var server in _servers)
        {
            await server.DisposeAsync();
        }

        try
        {
            Directory.Delete(Folder, recursive: true);
        }
        catch (IOException)
        {
            // A file still open by a process being reaped: left for the OS to clean.
        }
    }
}
