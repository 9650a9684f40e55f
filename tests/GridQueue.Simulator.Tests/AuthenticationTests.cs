using System.Net;
using Xunit;

namespace GridQueue.Simulator.Tests;

public sealed class AuthenticationTests
{
    [Fact]
    public async Task Submit_WithoutBearer_Returns401WithMessage()
    {
        await using var simulator = await TestSimulator.StartAsync();
        using var client = simulator.NewClient(apiKey: null);

        using var response = await TestSimulator.SubmitAsync(client);

        var body = await TestSimulator.ReadJsonAsync(response, HttpStatusCode.Unauthorized);
        Assert.NotEmpty(TestSimulator.ErrorMessage(body));
        Assert.Equal(0, simulator.Host.State.Submissions);
    }

    [Fact]
    public async Task Submit_WithWrongKey_Returns401()
    {
        await using var simulator = await TestSimulator.StartAsync();
        using var client = simulator.NewClient("not-the-key");

        using var response = await TestSimulator.SubmitAsync(client);

        var body = await TestSimulator.ReadJsonAsync(response, HttpStatusCode.Unauthorized);
        Assert.Contains("key", TestSimulator.ErrorMessage(body), StringComparison.OrdinalIgnoreCase);
        Assert.Equal(0, simulator.Host.State.Submissions);
    }

    [Fact]
    public async Task Submit_WithOtherScheme_Returns401()
    {
        await using var simulator = await TestSimulator.StartAsync();
        using var client = simulator.NewClient(apiKey: null);
        client.DefaultRequestHeaders.Authorization = new("Basic", SimulatorOptions.DefaultApiKey);

        using var response = await TestSimulator.SubmitAsync(client);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task Status_WithWrongKey_Returns401()
    {
        await using var simulator = await TestSimulator.StartAsync();
        var taskId = await simulator.SubmitTaskAsync();
        using var client = simulator.NewClient("not-the-key");

        using var response = await client.GetAsync(new Uri($"v2/videos/generations/{taskId}", UriKind.Relative));

        await TestSimulator.ReadJsonAsync(response, HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Submit_WithExtraKey_IsAccepted()
    {
        var options = new SimulatorOptions { ApiKey = "main", ExtraApiKeys = ["user-1", "user-2"] };
        await using var simulator = await TestSimulator.StartAsync(options);
        using var client = simulator.NewClient("user-2");

        using var response = await TestSimulator.SubmitAsync(client);

        var body = await TestSimulator.ReadJsonAsync(response, HttpStatusCode.OK);
        Assert.StartsWith("sim-", body.GetProperty("task_id").GetString(), StringComparison.Ordinal);
        Assert.Equal(1, simulator.Host.State.Submissions);
    }
}
