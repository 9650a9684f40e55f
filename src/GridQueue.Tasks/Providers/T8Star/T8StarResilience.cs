using System.Net;
using System.Net.Http.Headers;
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
/// retried only when it provably never left this machine (no connection, name not resolved, TLS or proxy set-up
/// failed) or when the upstream refused it before doing any work (429). A relay's 500, 502, 503 or 504 is not such a
/// proof: the relay may have forwarded the request and its origin may have started (and billed) the video before the
/// error came back. Those, time-outs and connections lost after sending are left to the caller as an unknown outcome.
/// A status query (GET) is safe to repeat and is retried on every transient outcome.
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

        // For a submit only 429 proves the upstream did nothing; any 5xx may come after the work was started.
        var code = (int)response.StatusCode;
        var transient = safeToRepeat
            ? code is 408 or 429 or >= 500
            : code is 429;
        return transient && !(RetryAfter(response, time) is { } wait && wait > MaxInCallRetryDelay);
    }

    /// <summary>
    /// True when the request certainly did not leave this machine: the handler says the connection could not be
    /// established (refused, name not resolved, TLS or proxy set-up failed). Such a call can be repeated even for a
    /// submit. Only the handler's own classification is trusted: a socket error such as HostUnreachable or
    /// NetworkUnreachable in the inner exceptions can also surface on an established connection whose request was
    /// already sent, so it proves nothing.
    /// </summary>
    internal static bool WasNotSent(Exception exception) =>
        exception is HttpRequestException
        {
            HttpRequestError: HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError
                or HttpRequestError.SecureConnectionError or HttpRequestError.ProxyTunnelError,
        };

    /// <summary>
    /// The Retry-After of an answer, as a wait from now, clamped to [0, <see cref="T8StarProvider.MaxUpstreamRetryAfter"/>];
    /// null when there is none or it cannot be read. Never throws: the value comes from the upstream, and whatever it
    /// sends must end up as an ordinary, bounded wait.
    /// </summary>
    internal static TimeSpan? RetryAfter(HttpResponseMessage response, TimeProvider time)
    {
        if (response.Headers.RetryAfter is not RetryConditionHeaderValue header)
        {
            return null;
        }

        if (header.Delta is { } delta)
        {
            return Clamp(delta);
        }

        if (header.Date is { } date)
        {
            // Both ends lie within years 1..9999, so the difference always fits a TimeSpan.
            return Clamp(date - time.GetUtcNow());
        }

        return null;

        static TimeSpan Clamp(TimeSpan wait) =>
            wait < TimeSpan.Zero ? TimeSpan.Zero
            : wait > T8StarProvider.MaxUpstreamRetryAfter ? T8StarProvider.MaxUpstreamRetryAfter
            : wait;
    }

    private static HttpMethod? MethodOf(ResilienceContext context, Outcome<HttpResponseMessage> outcome) =>
        context.GetRequestMessage()?.Method ?? outcome.Result?.RequestMessage?.Method;

    private static string Describe(Outcome<HttpResponseMessage> outcome) =>
        outcome.Exception is { } ex
            ? ex.GetType().Name
            : outcome.Result is { } response ? $"HTTP {(int)response.StatusCode}" : "no answer";
}
