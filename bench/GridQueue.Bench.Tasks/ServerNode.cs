namespace GridQueue.Bench.Tasks;

/// <summary>One server process of a run, its sampler and an HTTP client for its SSE streams.</summary>
internal sealed class ServerNode : IAsyncDisposable
{
    private readonly SocketsHttpHandler _streamHandler = new();

    public ServerNode(int number, ServerProcess process, ProcessSampler sampler)
    {
        Number = number;
        Process = process;
        Sampler = sampler;
        Streams = new HttpClient(_streamHandler) { BaseAddress = process.Address, Timeout = Timeout.InfiniteTimeSpan };
    }

    public int Number { get; }
    public ServerProcess Process { get; }
    public ProcessSampler Sampler { get; }

    /// <summary>For long-lived SSE streams: no timeout.</summary>
    public HttpClient Streams { get; }

    /// <summary>What the node does in a run of several nodes.</summary>
    public string Role => Number == 1 ? "takes the submits, runs every task" : "serves SSE streams, runs no task";

    public async ValueTask DisposeAsync()
    {
        await Sampler.DisposeAsync();
        Streams.Dispose();
        _streamHandler.Dispose();
        await Process.DisposeAsync();
    }
}

/// <summary>A node's memory and CPU over a window of the run.</summary>
internal sealed record NodeResources(ServerNode Node, ResourceSummary Summary);
