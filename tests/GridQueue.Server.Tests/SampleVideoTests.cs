using System.Net;
using System.Net.Http.Headers;
using GridQueue.Server.Testing;

namespace GridQueue.Server.Tests;

/// <summary>The built-in simulator's finished tasks point at a real clip this server serves itself.</summary>
public sealed class SampleVideoTests
{
    [Fact]
    public async Task Succeeded_SimulatorTask_VideoUrlIsTheSampleAtTheListeningAddressAndItIsServed()
    {
        await using var server = await RunningServer.StartAsync();
        using var client = await server.CreateClientAsync("alice");
        var created = await client.GenerateAsync(TaskApi.Body());

        var done = await client.WaitForStatusAsync(created.Id(), "succeeded");

        var url = done.GetProperty("video_url").GetString();
        Assert.Equal(new Uri(server.Address, "samples/simulated.webm").AbsoluteUri, url);
        using var anonymous = server.CreateClient();
        using var response = await anonymous.GetAsync(url);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("video/webm", response.Content.Headers.ContentType?.MediaType);
        Assert.InRange((await response.Content.ReadAsByteArrayAsync()).Length, 10_000, 300_000); // a real clip, and a small one
    }

    [Fact]
    public async Task SampleVideo_RangeRequest_AnsweredWithThatRange()
    {
        await using var server = await RunningServer.StartAsync();
        using var client = server.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "samples/simulated.webm");
        request.Headers.Range = new RangeHeaderValue(0, 99);

        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.PartialContent, response.StatusCode);
        Assert.Equal("video/webm", response.Content.Headers.ContentType?.MediaType);
        Assert.StartsWith("bytes 0-99/", response.Content.Headers.ContentRange?.ToString(), StringComparison.Ordinal);
        var head = await response.Content.ReadAsByteArrayAsync();
        Assert.Equal(100, head.Length);
        Assert.Equal(new byte[] { 0x1A, 0x45, 0xDF, 0xA3 }, head[..4]); // the EBML header every WebM file starts with
    }

    [Theory]
    [InlineData("https://videos.example.com/gq", "https://videos.example.com/gq/samples/simulated.webm")]
    [InlineData("https://videos.example.com/", "https://videos.example.com/samples/simulated.webm")]
    public async Task Succeeded_WithPublicUrl_VideoUrlIsTheSampleAtThePublicAddress(string publicUrl, string expected)
    {
        await using var server = await RunningServer.StartAsync(new Dictionary<string, string?> { ["Server:PublicUrl"] = publicUrl });
        using var client = await server.CreateClientAsync("alice");
        var created = await client.GenerateAsync(TaskApi.Body());

        var done = await client.WaitForStatusAsync(created.Id(), "succeeded");

        Assert.Equal(expected, done.GetProperty("video_url").GetString());
    }

    [Fact]
    public async Task Succeeded_WithConfiguredVideoUrl_PointsThere()
    {
        const string Clip = "https://cdn.example.com/clips/demo.webm";
        await using var server = await RunningServer.StartAsync(new Dictionary<string, string?> { ["Providers:Simulator:VideoUrl"] = Clip });
        using var client = await server.CreateClientAsync("alice");
        var created = await client.GenerateAsync(TaskApi.Body());

        var done = await client.WaitForStatusAsync(created.Id(), "succeeded");

        Assert.Equal(Clip, done.GetProperty("video_url").GetString());
    }
}
