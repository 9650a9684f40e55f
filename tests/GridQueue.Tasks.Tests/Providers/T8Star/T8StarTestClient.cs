using System.Collections.Concurrent;
using GridQueue.Tasks.Providers.T8Star;
using Microsoft.Extensions.DependencyInjection;

namespace GridQueue.Tasks.Tests.Providers.T8Star;

/// <summary>
/// A T8StarProvider built the way a host builds it (AddT8StarProvider), with a recorder inside the resilience
/// pipeline that sees every single HTTP attempt, and optionally a stub in place of the network.
/// </summary>
internal sealed class T8StarTestClient : IAsyncDisposable
{
    private readonly ServiceProvider services;

    private T8StarTestClient(ServiceProvider services, AttemptLog attempts)
    {
        this.services = services;
        Attempts = attempts;
        Provider = services.GetRequiredService<T8StarProvider>();
    }

    public T8StarProvider Provider { get; }

    /// <summary>Every HTTP attempt that left the pipeline, retries included.</summary>
    public AttemptLog Attempts { get; }

    public static T8StarTestClient Create(Uri? baseUrl, string? apiKey, Action<T8StarOptions>? configure = null, HttpMessageHandler? network = null)
    {
        var attempts = new AttemptLog();
        var services = new ServiceCollection();
        services.AddT8StarProvider(options =>
        {
            options.BaseUrl = baseUrl;
            options.ApiKey = apiKey;
            options.AttemptTimeout = TimeSpan.FromSeconds(5);
            configure?.Invoke(options);
        });
        var client = services.AddHttpClient(T8StarProvider.HttpClientName)
            .AddHttpMessageHandler(() => new RecordingHandler(attempts));
        if (network is not null)
        {
            client.ConfigurePrimaryHttpMessageHandler(() => network);
        }

        return new T8StarTestClient(services.BuildServiceProvider(validateScopes: true), attempts);
    }

    public ValueTask DisposeAsync() => services.DisposeAsync();

    private sealed class RecordingHandler(AttemptLog log) : DelegatingHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            try
            {
                var response = await base.SendAsync(request, cancellationToken);
                log.Add(new Attempt(request.Method, (int)response.StatusCode, null));
                return response;
            }
            catch (Exception ex)
            {
                log.Add(new Attempt(request.Method, null, ex.GetType().Name));
                throw;
            }
        }
    }
}

internal sealed record Attempt(HttpMethod Method, int? StatusCode, string? Exception);

internal sealed class AttemptLog
{
    private readonly ConcurrentQueue<Attempt> attempts = new();

    public IReadOnlyList<Attempt> All => [.. attempts];

    public int Count(HttpMethod method) => attempts.Count(a => a.Method == method);

    public void Add(Attempt attempt) => attempts.Enqueue(attempt);
}

/// <summary>Answers every request with one canned response and remembers what it was sent.</summary>
internal sealed class StubNetwork(Func<HttpRequestMessage, HttpResponseMessage> answer) : HttpMessageHandler
{
    private readonly ConcurrentQueue<(HttpRequestMessage Request, string? Body)> requests = new();

    public IReadOnlyList<(HttpRequestMessage Request, string? Body)> Requests => [.. requests];

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var body = request.Content is null ? null : await request.Content.ReadAsStringAsync(cancellationToken);
        requests.Enqueue((request, body));
        var response = answer(request);
        response.RequestMessage = request;
        return response;
    }
}
