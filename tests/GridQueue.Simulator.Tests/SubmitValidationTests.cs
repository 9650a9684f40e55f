using System.Net;
using Xunit;

namespace GridQueue.Simulator.Tests;

public sealed class SubmitValidationTests
{
    [Theory]
    [InlineData("""{"model":"sora-2","duration":"10"}""", "prompt")]
    [InlineData("""{"prompt":"  ","model":"sora-2"}""", "prompt")]
    [InlineData("""{"prompt":"a cat"}""", "model")]
    [InlineData("""{"prompt":"a cat","model":"sora-2","duration":"ten"}""", "duration")]
    [InlineData("""{"prompt":"a cat",""", "JSON")]
    [InlineData("", "JSON")]
    public async Task Submit_WithBadBody_Returns400NamingTheProblem(string json, string named)
    {
        await using var simulator = await TestSimulator.StartAsync();

        using var response = await simulator.Client.PostAsync(new Uri("v2/videos/generations", UriKind.Relative), TestSimulator.Json(json));

        var body = await TestSimulator.ReadJsonAsync(response, HttpStatusCode.BadRequest);
        Assert.Equal("invalid_request", body.GetProperty("error").GetProperty("type").GetString());
        Assert.Contains(named, TestSimulator.ErrorMessage(body), StringComparison.Ordinal);
        Assert.Equal(0, simulator.Host.State.Submissions);
    }

    [Theory]
    [InlineData("""{"prompt":"a cat","model":"sora-2","duration":"10"}""")]
    [InlineData("""{"prompt":"a cat","model":"sora-2","duration":10}""")]
    [InlineData("""{"prompt":"a cat","model":"sora-2"}""")]
    [InlineData("""{"prompt":"a cat","model":"sora-2","unknown_field":{"x":1}}""")]
    public async Task Submit_WithDurationAsStringNumberOrMissing_IsAccepted(string json)
    {
        await using var simulator = await TestSimulator.StartAsync();

        using var response = await simulator.Client.PostAsync(new Uri("v2/videos/generations", UriKind.Relative), TestSimulator.Json(json));

        await TestSimulator.ReadJsonAsync(response, HttpStatusCode.OK);
        Assert.Equal(1, simulator.Host.State.Submissions);
    }
}
