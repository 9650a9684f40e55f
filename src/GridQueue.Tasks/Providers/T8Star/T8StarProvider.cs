using System.Buffers;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Encodings.Web;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Polly.Timeout;

namespace GridQueue.Tasks.Providers.T8Star;

/// <summary>
/// An upstream speaking the T8Star unified video format: submit with <c>POST v2/videos/generations</c>, poll with
/// <c>GET v2/videos/generations/{id}</c>. It has no idempotency key and no cancel, and the upstreams are relays that
/// may create (and bill) a video and then answer an error, so a submit counts as "nothing was made"
/// (<see cref="ProviderErrorKind.Transient"/>) only when it provably never reached the upstream or was refused with
/// 429; 400, 401, 403, 404, 422 and other refusals are <see cref="ProviderErrorKind.Permanent"/>; everything else
/// after sending (any 5xx, 408, a time-out, a dropped connection, a success without a task id) is
/// <see cref="ProviderErrorKind.OutcomeUnknown"/> and never repeated here.
/// Quick retries and time limits live in the named HttpClient's pipeline (<see cref="T8StarResilience"/>); this
/// class turns what is left into <see cref="ProviderException"/>s.
/// </summary>
public sealed class T8StarProvider(
    IHttpClientFactory httpClientFactory,
    IOptionsMonitor<T8StarOptions> options,
    TimeProvider time,
    ILogger<T8StarProvider> logger) : IVideoProvider
{
    public const string ProviderName = "t8star";

    /// <summary>The named HttpClient (with its resilience pipeline) this provider sends through.</summary>
    public const string HttpClientName = "GridQueue.T8Star";

    /// <summary>Upstream messages quoted in exceptions are cut to this length.</summary>
    public const int MaxUpstreamMessageLength = 500;

    /// <summary>
    /// The longest upstream Retry-After taken at its word. A longer delta, or a date far in the future (up to the
    /// year 9999), is cut to this: the wait ends up scheduling a job, and a relay's misconfigured header must not
    /// park a task for decades. A day is far beyond any rate limit a relay really keeps.
    /// </summary>
    public static readonly TimeSpan MaxUpstreamRetryAfter = TimeSpan.FromHours(24);

    internal const string GenerationsPath = "v2/videos/generations";

    private static readonly JsonWriterOptions WriterOptions = new()
    {
        // The body goes to an API, not into a page: no need to escape '+' in base64 images or non-ASCII prompts.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public string Name => ProviderName;

    public bool AcceptsIdempotencyKey => false;

    public bool CanCancel => false;

    /// <summary>True when a base URL is configured, that is when the provider should be offered to clients.</summary>
    public bool IsConfigured => options.CurrentValue.IsConfigured;

    public async Task<ProviderSubmitResult> SubmitAsync(ProviderSubmitRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(request.Video);
        var settings = options.CurrentValue;
        var url = Endpoint(settings, null);
        var key = T8StarApiKey.Resolve(request.ApiKey, settings);

        using var message = new HttpRequestMessage(HttpMethod.Post, url) { Content = SubmitBody(request.Video, request.CallbackUrl) };
        message.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        var (response, body) = await SendAsync(message, submit: true, settings, cancellationToken);
        using (response)
        {
            if (!response.IsSuccessStatusCode)
            {
                throw Failure(response, body, key, submit: true, taskId: null);
            }

            if (TaskId(body) is { } id)
            {
                T8StarLog.Submitted(logger, id);
                return new ProviderSubmitResult(id);
            }

            // A success without a task id: the upstream may well have started (and billed) a video we cannot track.
            // Repeating the submit could make a second one, and calling it Permanent would hide that the first may
            // exist, so the outcome is unknown.
            var quoted = UpstreamMessage(body, key);
            var text = $"The upstream accepted the submit (HTTP {(int)response.StatusCode}) but sent no task id"
                + (quoted is null ? "" : $" ({quoted})")
                + "; it may have started a video that cannot be tracked.";
            T8StarLog.SubmitOutcomeUnknown(logger, "no task id in a success answer");
            throw new ProviderException(ProviderErrorKind.OutcomeUnknown, text, (int)response.StatusCode);
        }
    }

    public async Task<ProviderStatus> GetStatusAsync(ProviderCallRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (string.IsNullOrWhiteSpace(request.UpstreamTaskId))
        {
            throw new ProviderException(ProviderErrorKind.Permanent, "No upstream task id to ask about.");
        }

        var settings = options.CurrentValue;
        var url = Endpoint(settings, request.UpstreamTaskId);
        var key = T8StarApiKey.Resolve(request.ApiKey, settings);

        using var message = new HttpRequestMessage(HttpMethod.Get, url);
        message.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        var (response, body) = await SendAsync(message, submit: false, settings, cancellationToken);
        using (response)
        {
            return response.IsSuccessStatusCode
                ? T8StarStatusParser.Parse(body)
                : throw Failure(response, body, key, submit: false, request.UpstreamTaskId);
        }
    }

    public Task CancelAsync(ProviderCallRequest request, CancellationToken cancellationToken) =>
        throw new NotSupportedException($"Provider '{ProviderName}' cannot cancel an upstream video: the upstream format has no cancel.");

    /// <summary>The generations endpoint, or one task under it (its id escaped).</summary>
    internal static Uri Endpoint(T8StarOptions settings, string? taskId)
    {
        if (settings.BaseUrl is not { IsAbsoluteUri: true } baseUrl)
        {
            throw new ProviderException(
                ProviderErrorKind.Permanent,
                $"Provider '{ProviderName}' is not configured: set Providers__T8Star__BaseUrl on the server.");
        }

        var root = baseUrl.AbsoluteUri.EndsWith('/') ? baseUrl.AbsoluteUri : baseUrl.AbsoluteUri + "/";
        return new Uri(taskId is null ? root + GenerationsPath : $"{root}{GenerationsPath}/{Uri.EscapeDataString(taskId)}");
    }

    /// <summary>
    /// The unified format's submit body; duration is a string, images are left out when there are none, and
    /// notify_hook is sent only when the server has a callback URL for the task.
    /// </summary>
    internal static ByteArrayContent SubmitBody(VideoSpec video, Uri? notifyHook = null)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            writer.WriteStartObject();
            writer.WriteString("prompt", video.Prompt);
            writer.WriteString("model", video.Model);
            writer.WriteString("aspect_ratio", video.AspectRatio);
            writer.WriteBoolean("hd", video.Hd);
            writer.WriteString("duration", video.Duration.ToString(CultureInfo.InvariantCulture));
            if (video.Images is { Count: > 0 } images)
            {
                writer.WriteStartArray("images");
                foreach (var image in images)
                {
                    writer.WriteStringValue(image);
                }

                writer.WriteEndArray();
            }

            if (notifyHook is not null)
            {
                writer.WriteString("notify_hook", notifyHook.AbsoluteUri);
            }

            writer.WriteEndObject();
        }

        var content = new ByteArrayContent(buffer.WrittenSpan.ToArray());
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        return content;
    }

    /// <summary>The task id of a submit answer: "task_id" (a string, or a number some relays send), at the top or in "data".</summary>
    internal static string? TaskId(string body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return null;
            }

            return IdOf(root)
                ?? (root.TryGetProperty("data", out var data) && data.ValueKind == JsonValueKind.Object ? IdOf(data) : null);
        }
        catch (JsonException)
        {
            return null;
        }

        static string? IdOf(JsonElement element) =>
            !element.TryGetProperty("task_id", out var id) ? null
            : id.ValueKind == JsonValueKind.String ? id.GetString()?.Trim() is { Length: > 0 } text ? text : null
            : id.ValueKind == JsonValueKind.Number ? id.GetRawText()
            : null;
    }

    /// <summary>
    /// What the upstream said about an error: error.message, an "error" string, message, msg or detail; else the raw
    /// body. Cut to <see cref="MaxUpstreamMessageLength"/> characters, with the key removed.
    /// </summary>
    internal static string? UpstreamMessage(string body, string key)
    {
        if (string.IsNullOrWhiteSpace(body))
        {
            return null;
        }

        var text = JsonMessage(body) ?? body;
        text = T8StarApiKey.Redact(string.Join(' ', text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)), key);
        return text.Length > MaxUpstreamMessageLength ? string.Concat(text.AsSpan(0, MaxUpstreamMessageLength), "…") : text;

        static string? JsonMessage(string body)
        {
            try
            {
                using var document = JsonDocument.Parse(body);
                var root = document.RootElement;
                if (root.ValueKind != JsonValueKind.Object)
                {
                    return null;
                }

                if (root.TryGetProperty("error", out var error))
                {
                    if (error.ValueKind == JsonValueKind.Object && error.TryGetProperty("message", out var nested) && Text(nested) is { } m)
                    {
                        return m;
                    }

                    if (Text(error) is { } e)
                    {
                        return e;
                    }
                }

                foreach (var name in (ReadOnlySpan<string>)["message", "msg", "detail", "fail_reason"])
                {
                    if (root.TryGetProperty(name, out var value) && Text(value) is { } t)
                    {
                        return t;
                    }
                }

                return null;
            }
            catch (JsonException)
            {
                return null;
            }
        }

        static string? Text(JsonElement value) =>
            value.ValueKind == JsonValueKind.String && value.GetString()?.Trim() is { Length: > 0 } t ? t : null;
    }

    /// <summary>Sends through the resilient client and reads the body; failures without an answer become ProviderExceptions.</summary>
    private async Task<(HttpResponseMessage Response, string Body)> SendAsync(
        HttpRequestMessage message, bool submit, T8StarOptions settings, CancellationToken cancellationToken)
    {
        var client = httpClientFactory.CreateClient(HttpClientName);
        HttpResponseMessage? response = null;
        try
        {
            response = await client.SendAsync(message, HttpCompletionOption.ResponseContentRead, cancellationToken);
            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            return (response, body);
        }
        catch (Exception ex) when (cancellationToken.IsCancellationRequested)
        {
            response?.Dispose();
            if (ex is OperationCanceledException)
            {
                throw;
            }

            // The caller stopped the call while something else failed: the caller's cancellation wins.
            throw new OperationCanceledException("The call was cancelled.", ex, cancellationToken);
        }
        catch (Exception ex) when (ex is TimeoutRejectedException or OperationCanceledException or HttpRequestException or IOException)
        {
            response?.Dispose();
            throw NoAnswer(ex, submit, settings);
        }
    }

    /// <summary>
    /// Turns a call that got no usable answer into a ProviderException. A submit that may have been sent is
    /// OutcomeUnknown; a status query is always Transient.
    /// </summary>
    private ProviderException NoAnswer(Exception exception, bool submit, T8StarOptions settings)
    {
        if (T8StarResilience.WasNotSent(exception))
        {
            return new ProviderException(
                ProviderErrorKind.Transient,
                $"Could not connect to the upstream: {exception.Message}",
                innerException: exception);
        }

        var what = exception is TimeoutRejectedException or OperationCanceledException
            // A pipeline time-out, or HttpClient's own limit (the caller's cancellation was handled before).
            ? $"the upstream did not answer within the time limit (attempt time-out {settings.AttemptTimeout.TotalSeconds.ToString(CultureInfo.InvariantCulture)} s)"
            : $"the connection to the upstream failed after the request was sent: {exception.Message}";

        if (!submit)
        {
            return new ProviderException(ProviderErrorKind.Transient, $"Status query failed: {what}.", innerException: exception);
        }

        T8StarLog.SubmitOutcomeUnknown(logger, exception.GetType().Name);
        return new ProviderException(
            ProviderErrorKind.OutcomeUnknown,
            $"The submit's outcome is unknown: {what}. The upstream may have started a video; it is not submitted again automatically.",
            innerException: exception);
    }

    /// <summary>
    /// An HTTP error answer (after the pipeline's retries) as a ProviderException. For a submit, only 429 means the
    /// upstream did nothing and only the other 4xx (except 408) mean it refused: every other answer came after the
    /// request was received, when a relay may already have started the video, so the outcome is unknown.
    /// </summary>
    private ProviderException Failure(HttpResponseMessage response, string body, string key, bool submit, string? taskId)
    {
        var code = (int)response.StatusCode;
        var quoted = UpstreamMessage(body, key);
        string Say(string what) => quoted is null ? $"{what}." : $"{what}: {quoted}";
        var retryAfter = T8StarResilience.RetryAfter(response, time);
        return code switch
        {
            401 or 403 => new(ProviderErrorKind.Permanent, Say($"The upstream rejected the API key (HTTP {code})"), code),
            400 or 422 => new(ProviderErrorKind.Permanent, Say($"The upstream refused the request (HTTP {code})"), code),
            404 when submit => new(ProviderErrorKind.Permanent, Say("The upstream has no video endpoint at the configured base URL (HTTP 404)"), code),
            404 => new(ProviderErrorKind.Permanent, Say($"The upstream does not know task '{taskId}' (HTTP 404)"), code),
            429 => new(ProviderErrorKind.Transient, Say("The upstream is limiting the request rate (HTTP 429)"), code, retryAfter),
            >= 400 and < 500 and not 408 => new(ProviderErrorKind.Permanent, Say($"The upstream refused the request (HTTP {code})"), code),
            _ when submit => SubmitAnsweredWithError(code, quoted),
            408 => new(ProviderErrorKind.Transient, Say("The upstream timed out waiting for the request (HTTP 408)"), code, retryAfter),
            >= 500 => new(ProviderErrorKind.Transient, Say($"The upstream failed (HTTP {code})"), code, retryAfter),
            _ => new(ProviderErrorKind.Transient, Say($"The upstream gave an unexpected answer (HTTP {code})"), code, retryAfter),
        };
    }

    /// <summary>A submit answered with an error that does not prove nothing was made (any 5xx, 408, anything unexpected).</summary>
    private ProviderException SubmitAnsweredWithError(int code, string? quoted)
    {
        T8StarLog.SubmitOutcomeUnknown(logger, string.Create(CultureInfo.InvariantCulture, $"HTTP {code} after the request was received"));
        var text = string.Create(CultureInfo.InvariantCulture, $"The upstream answered HTTP {code} after receiving the request")
            + (quoted is null ? "" : $" ({quoted})")
            + "; it may have started (and billed) a video, so it is not submitted again automatically.";
        return new ProviderException(ProviderErrorKind.OutcomeUnknown, text, code);
    }
}
