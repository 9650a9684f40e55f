using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using GridQueue.Engine.Execution;
using GridQueue.Tasks.Storage;
using GridQueue.Tasks.Telemetry;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace GridQueue.Tasks.Webhooks;

/// <summary>
/// Delivers one task end: a signed POST, where any 2xx is done and anything else (another status, no answer within
/// the timeout, a refused connection) is retried after an exponential back-off of its own settings. Once no attempt
/// is left the engine keeps the job discarded with every attempt's error: a dead letter an operator can inspect and
/// requeue. A destination that may not be reached is discarded at once, as trying again cannot help.
/// </summary>
public sealed partial class WebhookDeliveryHandler(
    ITaskStore store,
    WebhookDestinations destinations,
    IHttpClientFactory clients,
    IOptions<WebhookOptions> options,
    TimeProvider time,
    ILogger<WebhookDeliveryHandler> logger) : IJobHandler
{
    private const int MessageBodyChars = 200;

    public Task<JobOutcome> HandleAsync(JobContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var args = context.GetArgs<WebhookDeliveryArgs>();
        return TaskTracing.RunAsync(logger, context, args.TaskId, () => DeliverAsync(context, args, cancellationToken));
    }

    private async Task<JobOutcome> DeliverAsync(JobContext context, WebhookDeliveryArgs args, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        if (destinations.Key is not { } key)
        {
            return JobOutcome.Discard("Webhooks__Secret is not set (or not valid) on this server, so the delivery cannot be signed; set it and requeue the job.");
        }

        if (destinations.Refusal(args.Url) is { } refusal)
        {
            return JobOutcome.Discard(refusal);
        }

        // Messages and logs name the destination without its query, which may carry the receiver's own token.
        var where = Where(args.Url);
        var images = await store.TaskImagesGetAsync(args.TaskId, cancellationToken).ConfigureAwait(false);
        var body = WebhookPayload.Build(args.Task, images);
        var timestamp = time.GetUtcNow().ToUnixTimeSeconds();
        using var request = new HttpRequestMessage(HttpMethod.Post, args.Url)
        {
            Content = new StringContent(body, Encoding.UTF8, "application/json"),
        };
        request.Headers.Add(WebhookSignature.IdHeader, args.WebhookId);
        request.Headers.Add(WebhookSignature.TimestampHeader, timestamp.ToString(CultureInfo.InvariantCulture));
        request.Headers.Add(WebhookSignature.SignatureHeader, WebhookSignature.Sign(key, args.WebhookId, timestamp, body));
        request.Headers.UserAgent.Add(new ProductInfoHeaderValue("GridQueue-Webhooks", "1"));

        using var timeout = new CancellationTokenSource(settings.Timeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        try
        {
            var client = clients.CreateClient(WebhookHttp.ClientName);
            using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, linked.Token).ConfigureAwait(false);
            var answer = await ReadCappedAsync(response.Content, settings.MaxResponseBytes, linked.Token).ConfigureAwait(false);
            if (response.IsSuccessStatusCode)
            {
                LogDelivered(args.WebhookId, (int)response.StatusCode, context.Job.Attempt);
                return JobOutcome.Completed;
            }

            var redirect = (int)response.StatusCode is >= 300 and < 400 && response.Headers.Location is { } location
                ? $" (redirect to {location} not followed)"
                : "";
            return Retry(context, $"{where} answered {(int)response.StatusCode}{redirect}: {Shorten(answer)}");
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            return Retry(context, $"{where} did not answer within {settings.Timeout.TotalSeconds:0.###} s (Webhooks__Timeout).");
        }
        catch (HttpRequestException e) when (FindRefusal(e) is { } refused)
        {
            return JobOutcome.Discard($"{where}: {refused.Message}");
        }
        catch (HttpRequestException e)
        {
            return Retry(context, $"{where}: {e.Message}");
        }
    }

    /// <summary>A failure, retried after base × 2^(attempt−1) (capped, ±10 %); on the last attempt the engine discards the job.</summary>
    private JobOutcome Retry(JobContext context, string message)
    {
        var settings = options.Value;
        LogFailed(context.Job.Id, context.Job.Attempt, context.Job.MaxAttempts, message);
        var exponent = Math.Clamp(context.Job.Attempt - 1, 0, 30);
        var delay = Math.Min(settings.RetryBaseDelay.TotalMilliseconds * Math.Pow(2, exponent), settings.RetryMaxDelay.TotalMilliseconds);
        var jittered = delay * (0.9 + (Random.Shared.NextDouble() * 0.2));
        return JobOutcome.Failed(message, TimeSpan.FromMilliseconds(jittered));
    }

    /// <summary>Up to <paramref name="limit"/> bytes of the answer as text; the rest is never read.</summary>
    private static async Task<string> ReadCappedAsync(HttpContent content, int limit, CancellationToken cancellationToken)
    {
        var stream = await content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            var buffer = new byte[limit];
            var read = 0;
            while (read < limit)
            {
                var n = await stream.ReadAsync(buffer.AsMemory(read, limit - read), cancellationToken).ConfigureAwait(false);
                if (n == 0)
                {
                    break;
                }

                read += n;
            }

            return Encoding.UTF8.GetString(buffer, 0, read);
        }
    }

    private static string Where(string url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) ? uri.GetLeftPart(UriPartial.Path) : url;

    private static string Shorten(string answer)
    {
        var text = answer.ReplaceLineEndings(" ").Trim();
        return text.Length == 0 ? "(empty body)" : text.Length <= MessageBodyChars ? text : text[..MessageBodyChars] + "…";
    }

    private static WebhookDestinationRefusedException? FindRefusal(Exception e)
    {
        for (var inner = e.InnerException; inner is not null; inner = inner.InnerException)
        {
            if (inner is WebhookDestinationRefusedException refused)
            {
                return refused;
            }
        }

        return null;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Webhook {WebhookId} delivered (HTTP {Status}, attempt {Attempt}).")]
    private partial void LogDelivered(string webhookId, int status, int attempt);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Webhook job {JobId}: attempt {Attempt} of {MaxAttempts} failed: {Reason}")]
    private partial void LogFailed(long jobId, int attempt, int maxAttempts, string reason);
}
