using GridQueue.Engine.Jobs;
using GridQueue.Server.Testing;
using Microsoft.AspNetCore.Http;

namespace GridQueue.Server.Tests.Webhooks;

/// <summary>Completion webhooks end to end: the real server delivers to a real receiver on loopback.</summary>
public sealed class WebhookDeliveryTests
{
    [Fact]
    public async Task TaskEnds_Succeeded_Failed_Cancelled_EachDeliveredOnceSignedWithTheTask()
    {
        var secret = WebhookChecks.NewSecret();
        await using var receiver = await WebhookReceiver.StartOkAsync();
        await using var server = await RunningServer.StartAsync(WebhookChecks.Settings(secret));
        await using var failing = await RunningServer.StartAsync(WebhookChecks.Settings(secret, ("Providers:Simulator:FailureRate", "1")));
        using var client = await server.CreateClientAsync("alice");
        using var failingClient = await failing.CreateClientAsync("alice");
        var url = receiver.Url("hooks/tasks?source=test");

        var succeeds = await client.GenerateAsync(new { prompt = "succeeds", model = "sora-2", callback_url = url });
        var cancelled = await client.GenerateAsync(new { prompt = "cancelled", model = "sora-2", callback_url = url });
        var fails = await failingClient.GenerateAsync(new { prompt = "fails", model = "sora-2", callback_url = url });
        var withoutCallback = await client.GenerateAsync(TaskApi.Body("no callback"));
        Assert.Equal(url, succeeds.GetProperty("callback_url").GetString());
        Assert.Null(withoutCallback.GetProperty("callback_url").GetString());
        await client.PostEnvelopeAsync($"api/v1/video/cancel/{cancelled.Id()}");

        var deliveries = await receiver.NextAsync(3);
        await client.WaitForStatusAsync(withoutCallback.Id(), "succeeded");
        var byTask = deliveries.ToDictionary(d => WebhookChecks.Task(d).Id());
        foreach (var delivery in deliveries)
        {
            WebhookChecks.AssertSigned(delivery, secret);
            Assert.Equal("/hooks/tasks", delivery.Path);
        }

        Assert.Equal(3, deliveries.Select(d => d.Id).Distinct().Count());
        Assert.Equal("succeeded", WebhookChecks.Task(byTask[succeeds.Id()]).Status());
        Assert.Equal("cancelled", WebhookChecks.Task(byTask[cancelled.Id()]).Status());
        Assert.Equal("failed", WebhookChecks.Task(byTask[fails.Id()]).Status());
        Assert.Equal(url, WebhookChecks.Task(byTask[succeeds.Id()]).GetProperty("callback_url").GetString());

        // Each end made one delivery job, now completed: nothing more will come, and no task without a callback made one.
        Assert.Equal(2, (await WebhookChecks.WaitForJobsAsync(server, JobState.Completed, 2)).Count);
        Assert.Single(await WebhookChecks.WaitForJobsAsync(failing, JobState.Completed, 1));
        Assert.Equal(2, (await WebhookChecks.JobsAsync(server)).Count);
        Assert.Equal(3, receiver.Received.Count);
    }

    [Fact]
    public async Task Receiver_Answering500ThreeTimesThen200_GetsFourDeliveries_WithGrowingGaps_AndOneWebhookId()
    {
        var secret = WebhookChecks.NewSecret();
        await using var receiver = await WebhookReceiver.StartAsync((_, n) => Task.FromResult(n < 3 ? Results.StatusCode(500) : Results.Ok()));
        // Waits of about 1, 2 and 4 s: far enough apart that a loaded machine delaying one run by a few hundred
        // milliseconds cannot make them look equal.
        await using var server = await RunningServer.StartAsync(WebhookChecks.Settings(secret, ("Webhooks:RetryBaseDelay", "00:00:01")));
        using var client = await server.CreateClientAsync("alice");

        var task = await client.GenerateAsync(new { prompt = "retried", model = "sora-2", callback_url = receiver.Url("hook") });
        await client.PostEnvelopeAsync($"api/v1/video/cancel/{task.Id()}");

        var deliveries = await receiver.NextAsync(4);
        var job = await WebhookChecks.WaitForJobAsync(server, JobState.Completed);
        Assert.Single(deliveries.Select(d => d.Id).Distinct());
        Assert.All(deliveries, d => WebhookChecks.AssertSigned(d, secret));
        Assert.All(deliveries, d => Assert.Equal(deliveries[0].Body, d.Body));
        var gaps = deliveries.Zip(deliveries.Skip(1), (a, b) => b.At - a.At).ToList();
        Assert.True(gaps[0] < gaps[1] && gaps[1] < gaps[2], $"the waits between deliveries grow: {string.Join(", ", gaps)}");
        Assert.Equal(4, job.Attempt);
        Assert.Equal([1, 2, 3], job.Errors.Select(e => e.Attempt));
        Assert.All(job.Errors, e => Assert.Contains("answered 500", e.Message, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Receiver_NeverAnswering_EndsAsDiscardedJob_WithEveryAttemptsError()
    {
        var secret = WebhookChecks.NewSecret();
        using var hold = new CancellationTokenSource();
        await using var receiver = await WebhookReceiver.StartAsync(async (http, _) =>
        {
            await Task.Delay(Timeout.Infinite, CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted, hold.Token).Token).ContinueWith(_ => { });
            return Results.Ok();
        });
        await using var server = await RunningServer.StartAsync(WebhookChecks.Settings(
            secret, ("Webhooks:Timeout", "00:00:00.300"), ("Webhooks:MaxAttempts", "2"), ("Webhooks:RetryBaseDelay", "00:00:00.050")));
        using var client = await server.CreateClientAsync("alice");

        var task = await client.GenerateAsync(new { prompt = "silent receiver", model = "sora-2", callback_url = receiver.Url("hook") });
        await client.PostEnvelopeAsync($"api/v1/video/cancel/{task.Id()}");

        var dead = await WebhookChecks.WaitForJobAsync(server, JobState.Discarded);
        await hold.CancelAsync();
        Assert.Equal(2, receiver.Received.Count);
        Assert.Equal([1, 2], dead.Errors.Select(e => e.Attempt));
        Assert.All(dead.Errors, e => Assert.Contains("did not answer within 0.3 s", e.Message, StringComparison.Ordinal));
        Assert.Contains(task.Id(), dead.Args, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Receiver_Redirecting_IsNotFollowed()
    {
        var secret = WebhookChecks.NewSecret();
        await using var receiver = await WebhookReceiver.StartAsync((http, _) =>
            Task.FromResult(http.Request.Path == "/moved" ? Results.Ok() : Results.Redirect("/moved", permanent: false, preserveMethod: true)));
        await using var server = await RunningServer.StartAsync(WebhookChecks.Settings(secret, ("Webhooks:MaxAttempts", "1")));
        using var client = await server.CreateClientAsync("alice");

        var task = await client.GenerateAsync(new { prompt = "redirected", model = "sora-2", callback_url = receiver.Url("hook") });
        await client.PostEnvelopeAsync($"api/v1/video/cancel/{task.Id()}");

        var dead = await WebhookChecks.WaitForJobAsync(server, JobState.Discarded);
        Assert.Equal(["/hook"], receiver.Received.Select(r => r.Path));
        Assert.Contains("answered 307 (redirect to /moved not followed)", Assert.Single(dead.Errors).Message, StringComparison.Ordinal);
    }
}
