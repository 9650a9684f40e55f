using System.Net;
using GridQueue.Server.Testing;
using Microsoft.Data.Sqlite;

namespace GridQueue.Server.Tests;

/// <summary>A database that does not answer is 503 UNAVAILABLE with Retry-After, never a 500, and nothing is half-written.</summary>
public sealed class StorageUnavailableTests
{
    [Fact]
    public async Task Generate_WhileAnotherProcessLocksTheDatabase_Answers503ThenRecovers()
    {
        await using var server = await RunningServer.StartAsync(new Dictionary<string, string?> { ["Storage:BusyTimeout"] = "00:00:01" });
        using var client = await server.CreateClientAsync("alice");

        await using (var locker = new SqliteConnection($"Data Source={Path.Combine(server.Folder, "gridqueue.db")};Pooling=False"))
        {
            await locker.OpenAsync();
            await using (var begin = locker.CreateCommand())
            {
                begin.CommandText = "BEGIN EXCLUSIVE;";
                await begin.ExecuteNonQueryAsync();
            }

            using var request = new HttpRequestMessage(HttpMethod.Post, "api/v1/video/generate") { Content = System.Net.Http.Json.JsonContent.Create(TaskApi.Body()) };
            using var response = await client.SendAsync(request);
            var body = await response.Content.ReadAsStringAsync();
            Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
            Assert.Contains("\"code\":\"UNAVAILABLE\"", body, StringComparison.Ordinal);
            Assert.NotNull(response.Headers.RetryAfter);

            await using var rollback = locker.CreateCommand();
            rollback.CommandText = "ROLLBACK;";
            await rollback.ExecuteNonQueryAsync();
        }

        var (_, before) = await client.GetEnvelopeAsync("api/v1/video/tasks");
        Assert.Empty(before.GetProperty("data").GetProperty("items").EnumerateArray());
        var task = await client.GenerateAsync(TaskApi.Body());
        Assert.Equal("succeeded", (await client.WaitAsync(task.Id(), t => t.IsTerminal())).Status());
    }
}
