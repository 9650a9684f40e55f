using System.Collections.Concurrent;
using System.Net;
using GridQueue.Server.Testing;
using GridQueue.Tasks.Providers;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;

namespace GridQueue.Server.Tests.Resilience;

/// <summary>
/// A cancel that arrives while a submit is on its way: the submit is let finish, and the upstream job it made is then
/// cancelled with the user's own key, which is erased afterwards. The upstream here is a provider of the test's own
/// that holds its submit until the test lets it go (the shipped providers answer at once or cannot cancel).
/// </summary>
public sealed class CancelDuringSubmitTests
{
    [Fact]
    public async Task CancelWhileTheSubmitIsOut_UpstreamJobCancelledOnceItReturns_KeyErased()
    {
        var upstream = new HeldProvider();
        await using var server = await RunningServer.StartAsync(services: s => s.AddSingleton<IVideoProvider>(upstream));
        using var client = await server.CreateClientAsync("held-alice");
        var created = await client.GenerateAsync(
            new { prompt = "a held kite", model = "sora-2", provider = HeldProvider.ProviderName },
            new Dictionary<string, string> { ["X-User-Api-Key"] = "alice-own-key" });
        await upstream.SubmitStarted.Task.WaitAsync(TimeSpan.FromSeconds(20));

        var (status, envelope) = await client.PostEnvelopeAsync($"api/v1/video/cancel/{created.Id()}");
        Assert.True(status == HttpStatusCode.OK, envelope.ToString());
        Assert.Equal("cancelled", envelope.GetProperty("data").Status());

        upstream.Release.SetResult();
        var cancelled = await upstream.Cancelled.Task.WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Equal((HeldProvider.UpstreamId, "alice-own-key"), cancelled);

        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (await ApiKeyStoredAsync(server, created.Id()))
        {
            Assert.True(DateTime.UtcNow < deadline, "the user's key was not erased after the upstream cancel");
            await Task.Delay(50);
        }

        Assert.Equal("cancelled", (await client.StatusAsync(created.Id())).Status());
        Assert.Equal(1, upstream.Submits);
        Assert.Empty(server.ErrorLog.Errors);
    }

    private static async Task<bool> ApiKeyStoredAsync(RunningServer server, string taskId)
    {
        await using var connection = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = Path.Combine(server.Folder, "gridqueue.db"),
            Mode = SqliteOpenMode.ReadOnly,
            Pooling = false,
        }.ToString());
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT api_key IS NOT NULL FROM gq_tasks WHERE id = @id";
        command.Parameters.AddWithValue("@id", taskId);
        return Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture) == 1;
    }

    /// <summary>An upstream that can cancel and holds each submit until <see cref="Release"/>.</summary>
    private sealed class HeldProvider : IVideoProvider
    {
        public const string ProviderName = "held";
        public const string UpstreamId = "held-1";
        private int _submits;

        public TaskCompletionSource SubmitStarted { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource<(string UpstreamId, string? ApiKey)> Cancelled { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public int Submits => Volatile.Read(ref _submits);

        public string Name => ProviderName;

        public bool AcceptsIdempotencyKey => false;

        public bool CanCancel => true;

        public async Task<ProviderSubmitResult> SubmitAsync(ProviderSubmitRequest request, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _submits);
            SubmitStarted.TrySetResult();
            await Release.Task.WaitAsync(cancellationToken);
            return new ProviderSubmitResult(UpstreamId);
        }

        public Task<ProviderStatus> GetStatusAsync(ProviderCallRequest request, CancellationToken cancellationToken) =>
            Task.FromResult(new ProviderStatus(UpstreamState.Running, 10, null, null));

        public Task CancelAsync(ProviderCallRequest request, CancellationToken cancellationToken)
        {
            Cancelled.TrySetResult((request.UpstreamTaskId, request.ApiKey));
            return Task.CompletedTask;
        }
    }
}
