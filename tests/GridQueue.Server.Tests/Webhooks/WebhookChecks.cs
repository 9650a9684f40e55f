using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using GridQueue.Engine.Engine;
using GridQueue.Engine.Jobs;
using GridQueue.Engine.Storage;
using GridQueue.Server.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace GridQueue.Server.Tests.Webhooks;

/// <summary>The Standard Webhooks check, done here from the published scheme (not with the server's code), and the settings the tests share.</summary>
internal static class WebhookChecks
{
    /// <summary>A fresh secret in the published format: whsec_ and 32 random bytes in base64.</summary>
    public static string NewSecret() => "whsec_" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    /// <summary>Settings that turn webhooks on and let them reach the loopback receivers.</summary>
    public static Dictionary<string, string?> Settings(string secret, params (string Key, string Value)[] more)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Webhooks:Secret"] = secret,
            ["Webhooks:AllowedHosts"] = "127.0.0.1",
        };
        foreach (var (key, value) in more)
        {
            settings[key] = value;
        }

        return settings;
    }

    /// <summary>Asserts the delivery's signature: HMAC-SHA256 of "id.timestamp.body" with the secret's key, as v1,base64, and a fresh timestamp.</summary>
    public static void AssertSigned(ReceivedWebhook delivery, string secret)
    {
        Assert.False(string.IsNullOrEmpty(delivery.Id));
        var timestamp = long.Parse(delivery.Timestamp!, CultureInfo.InvariantCulture);
        Assert.InRange(timestamp, DateTimeOffset.UtcNow.AddMinutes(-5).ToUnixTimeSeconds(), DateTimeOffset.UtcNow.AddMinutes(5).ToUnixTimeSeconds());
        var key = Convert.FromBase64String(secret["whsec_".Length..]);
        var expected = "v1," + Convert.ToBase64String(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes($"{delivery.Id}.{delivery.Timestamp}.{delivery.Body}")));
        Assert.Contains(expected, delivery.Signature!.Split(' '));
    }

    /// <summary>The task object a delivery carries (and that its type is task.ended).</summary>
    public static JsonElement Task(ReceivedWebhook delivery)
    {
        var root = JsonDocument.Parse(delivery.Body).RootElement;
        Assert.Equal("task.ended", root.GetProperty("type").GetString());
        return root.GetProperty("data").Clone();
    }

    /// <summary>The server's webhook jobs, as the engine lists them.</summary>
    public static async Task<IReadOnlyList<Job>> JobsAsync(RunningServer server, JobState? state = null) =>
        await server.Services.GetRequiredService<JobEngine>().ListAsync(new JobListQuery(state, "webhook.deliver"));

    /// <summary>Waits until a webhook job is in <paramref name="state"/>; reads the engine's own listing.</summary>
    public static async Task<Job> WaitForJobAsync(RunningServer server, JobState state, TimeSpan? timeout = null) =>
        (await WaitForJobsAsync(server, state, 1, timeout))[0];

    /// <summary>
    /// Waits until at least <paramref name="count"/> webhook jobs are in <paramref name="state"/>. A delivery's outcome
    /// is stored just after its handler returns (outcomes are written behind the handlers), so a receiver can hold a
    /// delivery a moment before its job reads as completed.
    /// </summary>
    public static async Task<IReadOnlyList<Job>> WaitForJobsAsync(RunningServer server, JobState state, int count, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        while (true)
        {
            var jobs = await JobsAsync(server, state);
            if (jobs.Count >= count)
            {
                return jobs;
            }

            Assert.True(DateTime.UtcNow < deadline, $"Fewer than {count} webhook jobs became {state} in time: {string.Join("; ", (await JobsAsync(server)).Select(j => $"{j.Id} {j.State}"))}");
            await System.Threading.Tasks.Task.Delay(50);
        }
    }
}
