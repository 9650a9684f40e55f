using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Xunit;

namespace GridQueue.Simulator.Tests;

/// <summary>A simulator on a free loopback port plus a client holding the default key; tests talk real HTTP to it.</summary>
internal sealed class TestSimulator : IAsyncDisposable
{
    private TestSimulator(SimulatorHost host)
    {
        Host = host;
        Client = NewClient(SimulatorOptions.DefaultApiKey);
    }

    public SimulatorHost Host { get; }

    public HttpClient Client { get; }

    public static async Task<TestSimulator> StartAsync(SimulatorOptions? options = null, TimeProvider? time = null)
    {
        options ??= new SimulatorOptions { Duration = TimeSpan.FromSeconds(1) };
        var host = time is null ? await SimulatorHost.StartAsync(options) : await SimulatorHost.StartAsync(options, time);
        return new TestSimulator(host);
    }

    /// <summary>A client on its own connection pool, with the given key (or none).</summary>
    public HttpClient NewClient(string? apiKey)
    {
        var client = new HttpClient { BaseAddress = Host.BaseAddress, Timeout = TimeSpan.FromSeconds(10) };
        if (apiKey is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
        }

        return client;
    }

    public static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    public static Task<HttpResponseMessage> SubmitAsync(HttpClient client, string prompt = "a cat on a skateboard", string model = "sora-2") =>
        client.PostAsJsonAsync("v2/videos/generations", new { prompt, model, aspect_ratio = "16:9", hd = false, duration = "10" });

    public Task<HttpResponseMessage> SubmitAsync(string prompt = "a cat on a skateboard") => SubmitAsync(Client, prompt);

    /// <summary>Submits and returns the new task id, failing the test unless the simulator answered 200.</summary>
    public async Task<string> SubmitTaskAsync(string prompt = "a cat on a skateboard")
    {
        using var response = await SubmitAsync(prompt);
        var body = await ReadJsonAsync(response, HttpStatusCode.OK);
        return body.GetProperty("task_id").GetString()!;
    }

    public Task<HttpResponseMessage> GetStatusAsync(string taskId) => Client.GetAsync(new Uri($"v2/videos/generations/{taskId}", UriKind.Relative));

    public async Task<JsonElement> StatusAsync(string taskId)
    {
        using var response = await GetStatusAsync(taskId);
        return await ReadJsonAsync(response, HttpStatusCode.OK);
    }

    public async Task<JsonElement> StatsAsync()
    {
        using var response = await Client.GetAsync(new Uri("_simulator/stats", UriKind.Relative));
        return await ReadJsonAsync(response, HttpStatusCode.OK);
    }

    /// <summary>Checks the status code and returns the parsed body, so a failure shows what the simulator said.</summary>
    public static async Task<JsonElement> ReadJsonAsync(HttpResponseMessage response, HttpStatusCode expected)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"Expected {expected}, got {(int)response.StatusCode}: {text}");
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        using var document = JsonDocument.Parse(text);
        return document.RootElement.Clone();
    }

    /// <summary>The message of a <c>{"error":{"message"}}</c> body.</summary>
    public static string ErrorMessage(JsonElement body) => body.GetProperty("error").GetProperty("message").GetString()!;

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await Host.DisposeAsync();
    }
}
