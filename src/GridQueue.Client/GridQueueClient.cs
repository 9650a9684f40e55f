using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using GridQueue.Client.Http;
using GridQueue.Client.Json;

namespace GridQueue.Client;

/// <summary>
/// A typed client for the GridQueue server's HTTP API v1 (<c>/api/v1</c>). Every failed call throws
/// <see cref="GridQueueException"/> with the contract's error code, or CONNECTION_FAILED / INVALID_RESPONSE when the
/// server gave no usable answer. Thread-safe: one instance can serve concurrent calls.
/// </summary>
/// <example>
/// <code>
/// using var client = new GridQueueClient(new Uri("http://127.0.0.1:5080/"));
/// client.Token = await client.CreateDevTokenAsync("alice");            // or a JWT from your sign-in
/// var task = await client.GenerateAsync(new GenerateRequest { Prompt = "a red kite over the sea", Model = "sora-2" });
/// var done = await client.WaitForCompletionAsync(task.TaskId, new Progress&lt;VideoTask&gt;(t => Console.WriteLine(t.Progress)));
/// Console.WriteLine(done.Status == VideoTaskStatus.Succeeded ? done.VideoUrl : done.ErrorMessage);
/// </code>
/// </example>
public sealed partial class GridQueueClient : IDisposable
{
    /// <summary>The time-out of the client's own <see cref="HttpClient"/> for JSON calls (the event stream is not cut by it).</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(100);

    private static readonly MediaTypeWithQualityHeaderValue AcceptJson = new("application/json");
    private static readonly MediaTypeHeaderValue JsonContentType = new("application/json") { CharSet = "utf-8" };

    private readonly HttpClient _http;
    private readonly bool _ownsHttp;
    private volatile string? _token;
    private volatile bool _disposed;

    /// <summary>A client that creates and owns its <see cref="HttpClient"/> (time-out <see cref="DefaultTimeout"/> per JSON call).</summary>
    /// <param name="server">The server's base address, e.g. <c>http://127.0.0.1:5080/</c>; a path prefix (behind a proxy) is kept.</param>
    /// <param name="token">The bearer token, or null to set <see cref="Token"/> later.</param>
    public GridQueueClient(Uri server, string? token = null)
    {
        Server = Normalize(server, nameof(server));
        Token = token;
        _http = new HttpClient(new SocketsHttpHandler { ConnectTimeout = TimeSpan.FromSeconds(15) }) { Timeout = DefaultTimeout };
        _ownsHttp = true;
    }

    /// <summary>A client over the caller's <see cref="HttpClient"/>, which it does not dispose.</summary>
    /// <param name="http">An <see cref="HttpClient"/> whose <see cref="HttpClient.BaseAddress"/> is the server's address.</param>
    /// <param name="token">The bearer token, or null to set <see cref="Token"/> later.</param>
    public GridQueueClient(HttpClient http, string? token = null)
    {
        ArgumentNullException.ThrowIfNull(http);
        Server = Normalize(http.BaseAddress ?? throw new ArgumentException("The HttpClient's BaseAddress must be set to the server's address.", nameof(http)), nameof(http));
        Token = token;
        _http = http;
        _ownsHttp = false;
    }

    /// <summary>The server's base address, always ending in a slash.</summary>
    public Uri Server { get; }

    /// <summary>
    /// The bearer token sent as <c>Authorization: Bearer …</c> with every call (set per request, so changing it takes
    /// effect on the next call); null sends no Authorization header. Surrounding whitespace is trimmed; a token with
    /// whitespace or control characters inside is rejected. The client never logs it or puts it in a message.
    /// </summary>
    public string? Token
    {
        get => _token;
        set
        {
            value = value?.Trim(); // a token read from a file or pasted often carries a line break
            if (value is not null && (value.Length == 0 || value.Any(c => char.IsWhiteSpace(c) || char.IsControl(c))))
            {
                // The value itself is not in the message: it is a secret, and a wrong one is still one.
                throw new ArgumentException("A token must be non-empty, without spaces or control characters.", nameof(value));
            }

            _token = value;
        }
    }

    /// <summary>
    /// <c>POST /api/v1/dev/token</c>: a token for <paramref name="userId"/> from a server in dev mode (the route does not
    /// exist otherwise: NOT_FOUND). Returns the token; it does not set <see cref="Token"/>.
    /// </summary>
    public async Task<string> CreateDevTokenAsync(string userId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(userId);
        var body = JsonSerializer.SerializeToUtf8Bytes(new DevTokenRequest(userId), GridQueueJsonContext.Default.DevTokenRequest);
        var data = await CallAsync(HttpMethod.Post, "api/v1/dev/token", body, GridQueueJsonContext.Default.EnvelopeDevTokenData, null, cancellationToken)
            .ConfigureAwait(false);
        return data.Token;
    }

    /// <summary><c>GET /api/v1/info</c> (no token needed): the sign-in mode and the configured providers.</summary>
    public Task<ServerInfo> GetServerInfoAsync(CancellationToken cancellationToken = default) =>
        CallAsync(HttpMethod.Get, "api/v1/info", null, GridQueueJsonContext.Default.EnvelopeServerInfo, null, cancellationToken);

    /// <summary>
    /// <c>POST /api/v1/video/generate</c>: creates a task (status queued) and returns at once. Null members of
    /// <paramref name="request"/> are left out, so the server's defaults apply. With
    /// <see cref="GenerateOptions.IdempotencyKey"/> the call can be repeated safely: the same key returns the first task.
    /// </summary>
    public Task<VideoTask> GenerateAsync(GenerateRequest request, GenerateOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var body = JsonSerializer.SerializeToUtf8Bytes(request, GridQueueJsonContext.Default.GenerateRequest);
        return CallAsync(HttpMethod.Post, "api/v1/video/generate", body, GridQueueJsonContext.Default.EnvelopeVideoTask, message =>
        {
            if (options?.IdempotencyKey is { } key)
            {
                message.Headers.TryAddWithoutValidation("Idempotency-Key", key);
            }

            if (options?.UserApiKey is { } apiKey)
            {
                message.Headers.TryAddWithoutValidation("X-User-Api-Key", apiKey);
            }
        }, cancellationToken);
    }

    /// <summary><c>GET /api/v1/video/status/{taskId}</c>: the task (NOT_FOUND when it is not the caller's).</summary>
    public Task<VideoTask> GetAsync(string taskId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(taskId);
        return CallAsync(HttpMethod.Get, "api/v1/video/status/" + Uri.EscapeDataString(taskId), null, GridQueueJsonContext.Default.EnvelopeVideoTask, null, cancellationToken);
    }

    /// <summary>
    /// <c>GET /api/v1/video/tasks</c>: one page of the caller's tasks, newest first. Pass the page's
    /// <see cref="TaskPage.NextCursor"/> as <paramref name="cursor"/> for the next one.
    /// </summary>
    /// <param name="status">Only tasks in this status; null for all.</param>
    /// <param name="limit">1–100; null for the server's default (20).</param>
    /// <param name="cursor">A <see cref="TaskPage.NextCursor"/> from an earlier page; null for the first page.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public Task<TaskPage> ListAsync(VideoTaskStatus? status = null, int? limit = null, string? cursor = null, CancellationToken cancellationToken = default)
    {
        var query = new StringBuilder("api/v1/video/tasks");
        var separator = '?';
        void Add(string name, string value)
        {
            query.Append(separator).Append(name).Append('=').Append(Uri.EscapeDataString(value));
            separator = '&';
        }

        if (status is { } s)
        {
            Add("status", s.ToWire());
        }

        if (limit is { } l)
        {
            Add("limit", l.ToString(CultureInfo.InvariantCulture));
        }

        if (!string.IsNullOrEmpty(cursor))
        {
            Add("cursor", cursor);
        }

        return CallAsync(HttpMethod.Get, query.ToString(), null, GridQueueJsonContext.Default.EnvelopeTaskPage, null, cancellationToken);
    }

    /// <summary>
    /// <c>POST /api/v1/video/cancel/{taskId}</c>: a queued or running task becomes cancelled; an already cancelled
    /// one is returned as it is; a succeeded or failed one is BAD_REQUEST.
    /// </summary>
    public Task<VideoTask> CancelAsync(string taskId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(taskId);
        return CallAsync(HttpMethod.Post, "api/v1/video/cancel/" + Uri.EscapeDataString(taskId), null, GridQueueJsonContext.Default.EnvelopeVideoTask, null, cancellationToken);
    }

    /// <summary>
    /// <c>POST /api/v1/video/retry/{taskId}</c>: a failed task is queued again (attempt + 1, progress 0); any other
    /// status is BAD_REQUEST.
    /// </summary>
    public Task<VideoTask> RetryAsync(string taskId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(taskId);
        return CallAsync(HttpMethod.Post, "api/v1/video/retry/" + Uri.EscapeDataString(taskId), null, GridQueueJsonContext.Default.EnvelopeVideoTask, null, cancellationToken);
    }

    /// <summary>
    /// <c>POST /api/v1/video/retry/{taskId}</c> with the user's own upstream key (<c>X-User-Api-Key</c>): a task made
    /// with its own key needs the key again, because the server erased it when the task ended.
    /// </summary>
    public Task<VideoTask> RetryAsync(string taskId, string userApiKey, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(taskId);
        ArgumentException.ThrowIfNullOrWhiteSpace(userApiKey);
        return CallAsync(HttpMethod.Post, "api/v1/video/retry/" + Uri.EscapeDataString(taskId), null, GridQueueJsonContext.Default.EnvelopeVideoTask,
            message => message.Headers.TryAddWithoutValidation("X-User-Api-Key", userApiKey), cancellationToken);
    }

    /// <summary>Disposes the <see cref="HttpClient"/> when the client created it.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        if (_ownsHttp)
        {
            _http.Dispose();
        }
    }

    private static Uri Normalize(Uri server, string parameterName)
    {
        ArgumentNullException.ThrowIfNull(server, parameterName);
        if (!server.IsAbsoluteUri || (server.Scheme != Uri.UriSchemeHttp && server.Scheme != Uri.UriSchemeHttps))
        {
            throw new ArgumentException("The server address must be an absolute http or https URL, e.g. http://127.0.0.1:5080/.", parameterName);
        }

        // Relative paths resolve under the last slash: without one, a prefix like /gridqueue would be dropped.
        var text = server.GetLeftPart(UriPartial.Path);
        return new Uri(text.EndsWith('/') ? text : text + "/");
    }

    private Uri Endpoint(string relative) => new(Server, relative);

    private async Task<T> CallAsync<T>(
        HttpMethod method,
        string path,
        byte[]? jsonBody,
        JsonTypeInfo<Envelope<T>> typeInfo,
        Action<HttpRequestMessage>? configure,
        CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, Endpoint(path));
        request.Headers.Accept.Add(AcceptJson);
        if (jsonBody is not null)
        {
            request.Content = new ByteArrayContent(jsonBody);
            request.Content.Headers.ContentType = JsonContentType;
        }

        configure?.Invoke(request);
        using var response = await SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken).ConfigureAwait(false);
        return await ApiResponses.ReadDataAsync(response, typeInfo, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Sends with the current token; transport failures become CONNECTION_FAILED, the caller's cancellation stays a cancellation.</summary>
    private async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, HttpCompletionOption completion, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_token is { } token)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        try
        {
            return await _http.SendAsync(request, completion, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (Failures.IsTransport(e))
        {
            throw Failures.ConnectionFailed(request.RequestUri, e);
        }
        catch (TaskCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw Failures.TimedOut(request.RequestUri, e); // HttpClient.Timeout, not the caller
        }
    }
}
