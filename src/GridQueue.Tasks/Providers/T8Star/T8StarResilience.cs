using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Logging;
using Polly;
using Polly.Timeout;

namespace GridQueue.Tasks.Providers.T8Star;

/// <summary>
/// The HTTP pipeline of the T8Star client: an overall time limit, quick retries of transient answers, and a time
/// limit per attempt (outermost first).
/// <para>
/// The upstream has no idempotency key, so a submit (POST) that may have reached it is never repeated: a POST is
/// retried only when the upstream answered that it did not take the request (429, 502, 503, 504) or when no
/// connection was made at all. A time-out or a connection lost after sending is left to the caller as an unknown
/// outcome. A status query (GET) is safe to repeat and is retried on every transient outcome.
/// </para>
/// </summary>
internal static class T8StarResilience
{
    public const string PipelineName = "t8star";

    /// <summary>First back-off; it doubles per retry, with jitter.</summary>
    public static readonly TimeSpan RetryBaseDelay = TimeSpan.FromMilliseconds(200);

    /// <summary>
    /// Longest wait between two attempts inside one call. An answer asking for a longer Retry-After is not retried
    /// here; it goes back to the caller as Transient with its RetryAfter, so no worker sits idle waiting for it.
    /// </summary>
    public static readonly TimeSpan MaxInCallRetryDelay = TimeSpan.FromSeconds(5);

    /// <summary>Backstop around all attempts and the waits between them.</summary>
    public static TimeSpan TotalTimeout(T8StarOptions options) =>
        (options.AttemptTimeout * (options.MaxRetries + 1)) + (MaxInCallRetryDelay * options.MaxRetries) + TimeSpan.FromSeconds(1);

    /// <summary>
    /// HttpClient's own limit. It also covers reading the body, which happens after the pipeline returns, so it is a
    /// little longer than <see cref="TotalTimeout"/>.
    /// </summary>
    public static TimeSpan ClientTimeout(T8StarOptions options) => TotalTimeout(options) + options.AttemptTimeout;

    public static void Configure(ResiliencePipelineBuilder<HttpResponseMessage> builder, T8StarOptions options, TimeProvider time, ILogger logger)
    {
        builder.AddTimeout(TotalTimeout(options));
        if (options.MaxRetries > 0)
        {
            builder.AddRetry(new HttpRetryStrategyOptions
            {
                MaxRetryAttempts = options.MaxRetries,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = RetryBaseDelay,
                MaxDelay = MaxInCallRetryDelay,
                ShouldRetryAfterHeader = true,
                ShouldHandle = args => ValueTask.FromResult(ShouldRetry(args.Outcome, MethodOf(args.Context, args.Outcome), time)),
                OnRetry = args =>
                {
                    var request = args.Context.GetRequestMessage() ?? args.Outcome.Result?.RequestMessage;
                    T8StarLog.Retrying(
                        logger,
                        request?.Method.Method ?? "?",
                        request?.RequestUri?.AbsolutePath ?? "?",
                        Describe(args.Outcome),
                        args.AttemptNumber + 1,
                        args.RetryDelay);
                    return default;
                },
            });
        }

        builder.AddTimeout(options.AttemptTimeout);
    }

    /// <summary>Whether one attempt's outcome may be repeated inside the call.</summary>
    internal static bool ShouldRetry(Outcome<HttpResponseMessage> outcome, HttpMethod? method, TimeProvider time)
    {
        var safeToRepeat = method is not null && (method == HttpMethod.Get || method == HttpMethod.Head);
        if (outcome.Exception is { } exception)
        {
            if (exception is OperationCanceledException)
            {
                return false; // the caller's own cancellation (time-outs arrive as TimeoutRejectedException)
            }

            return WasNotSent(exception)
                || (safeToRepeat && exception is TimeoutRejectedException or HttpRequestException or IOException);
        }

        if (outcome.Result is not { } response || response.IsSuccessStatusCode)
        {
            return false;
        }

        var code = (int)response.StatusCode;
        var transient = safeToRepeat
            ? code is 408 or 429 or >= 500
            : code is 429 or 502 or 503 or 504;
        return transient && !(RetryAfter(response, time) is { } wait && wait > MaxInCallRetryDelay);
    }

    /// <summary>
    /// True when the request certainly did not leave this machine: no connection could be made (refused,
    /// unreachable, name not resolved, TLS or proxy set-up failed). Such a call can be repeated even for a submit.
    /// </summary>
    internal static bool WasNotSent(Exception exception)
    {
        if (exception is not HttpRequestException http)
        {
            return false;
        }

        if (http.HttpRequestError is HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError
            or HttpRequestError.SecureConnectionError or HttpRequestError.ProxyTunnelError)
        {
            return true;
        }

        for (var inner = http.InnerException; inner is not null; inner = inner.InnerException)
        {
            if (inner is SocketException { SocketErrorCode: SocketError.ConnectionRefused or SocketError.HostNotFound or SocketError.HostUnreachable or SocketError.NetworkUnreachable })
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The Retry-After of an answer, as a wait from now; null when there is none.</summary>
    internal static TimeSpan? RetryAfter(HttpResponseMessage response, TimeProvider time)
    {
        if (response.Headers.RetryAfter is not RetryConditionHeaderValue header)
        {
            return null;
        }

        if (header.Delta is { } delta)
        {
            return delta < TimeSpan.Zero ? TimeSpan.Zero : delta;
        }

        if (header.Date is { } date)
        {
            var wait = date - time.GetUtcNow();
            return wait < TimeSpan.Zero ? TimeSpan.Zero : wait;
        }

        return null;
    }

    private static HttpMethod? MethodOf(ResilienceContext context, Outcome<HttpResponseMessage> outcome) =>
        context.GetRequestMessage()?.Method ?? outcome.Result?.RequestMessage?.Method;

    private static string Describe(Outcome<HttpResponseMessage> outcome) =>
        outcome.Exception is { } ex
            ? ex.GetType().Name
            : outcome.Result is { } response ? $"HTTP {(int)response.StatusCode}" : "no answer";
}
