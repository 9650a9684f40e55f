namespace GridQueue.Bench.Tasks;

/// <summary>A benchmark user: its id and the dev token the server issued for it.</summary>
internal sealed record BenchUser(string Id, string Token);
