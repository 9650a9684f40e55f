namespace GridQueue.Bench.Tasks;

/// <summary>
/// The server processes of a run, each sampled for memory and CPU. Node 1 takes every submit and runs every task.
/// Further nodes (PostgreSQL only) work only a queue no job is ever put in, so they run no task and write no task
/// event: they serve the users' SSE streams, and every event they push was written by node 1 and reached them through
/// the database (LISTEN/NOTIFY). With one node, it does everything in the run's folder, as it always has.
/// </summary>
internal sealed class ServerNodes : IAsyncDisposable
{
    /// <summary>The only queue stream nodes work (GridQueue__Engine__Queues__NAME__MaxRunning); tasks never use it.</summary>
    public const string IdleQueue = "bench-stream-node-idle";

    private readonly List<ServerNode> _nodes = [];

    private ServerNodes()
    {
    }

    public IReadOnlyList<ServerNode> All => _nodes;

    /// <summary>Node 1: submits go here and its engine runs every task.</summary>
    public ServerNode Submitter => _nodes[0];

    public bool Clustered => _nodes.Count > 1;

    /// <summary>The node that serves the stream of the user at <paramref name="userIndex"/>: never node 1 when there are more.</summary>
    public ServerNode StreamNodeFor(int userIndex) => Clustered ? _nodes[1 + (userIndex % (_nodes.Count - 1))] : _nodes[0];

    /// <summary>The first node that has exited, if any.</summary>
    public ServerNode? Exited => _nodes.FirstOrDefault(n => n.Process.HasExited);

    /// <summary>Starts <paramref name="count"/> nodes one after another (the first applies the migrations).</summary>
    public static async Task<ServerNodes> StartAsync(
        string serverDll, string folder, int count, IReadOnlyDictionary<string, string> environment, CancellationToken cancellationToken)
    {
        var nodes = new ServerNodes();
        try
        {
            var ticksPerSecond = ProcessSampler.ReadTicksPerSecond();
            for (var number = 1; number <= count; number++)
            {
                var nodeFolder = count == 1 ? folder : Directory.CreateDirectory(Path.Combine(folder, $"node-{number}")).FullName;
                var nodeEnvironment = new Dictionary<string, string>(environment, StringComparer.Ordinal);
                if (number > 1)
                {
                    nodeEnvironment[$"GridQueue__Engine__Queues__{IdleQueue}__MaxRunning"] = "1";
                }

                var process = await ServerProcess.StartAsync(serverDll, nodeFolder, nodeEnvironment, cancellationToken);
                nodes._nodes.Add(new ServerNode(number, process, new ProcessSampler(process.Pid, ticksPerSecond)));
            }

            return nodes;
        }
        catch
        {
            await nodes.DisposeAsync();
            throw;
        }
    }

    /// <summary>Takes a sample of every node now; the marks bound a window for <see cref="Summarize"/>.</summary>
    public TimeSpan[] Mark() => [.. _nodes.Select(n => n.Sampler.Take())];

    public IReadOnlyList<NodeResources> Summarize(TimeSpan[] from, TimeSpan[] to) =>
        [.. _nodes.Select((n, i) => new NodeResources(n, n.Sampler.Summarize(from[i], to[i])))];

    public async ValueTask DisposeAsync()
    {
        // Stream nodes first, so node 1 is the last to leave the database.
        for (var i = _nodes.Count - 1; i >= 0; i--)
        {
            await _nodes[i].DisposeAsync();
        }
    }
}
