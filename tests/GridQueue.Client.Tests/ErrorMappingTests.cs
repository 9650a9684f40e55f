using System.Net;
using GridQueue.Client.Tests.Infrastructure;

namespace GridQueue.Client.Tests;

/// <summary>Every failure comes out as GridQueueException with the contract's code, or the client's own two.</summary>
public sealed class ErrorMappingTests(ClientServerFixture fixture) : IClassFixture<ClientServerFixture>
{
    [Fact]
    public async Task GetAsync_UnknownTask_IsNotFound404()
    {
        using var client = await fixture.NewClientAsync();
        var e = await Assert.ThrowsAsync<GridQueueException>(() => client.GetAsync("tsk_01JD3Q8W6Z9K2M4N7P0R5S8T1V"));
        Assert.Equal(GridQueueErrorCodes.NotFound, e.Code);
        Assert.Equal(HttpStatusCode.NotFound, e.StatusCode);
        Assert.Empty(e.Details);
    }

    [Fact]
    public async Task GenerateAsync_PromptMissing_IsValidationErrorNamingPrompt()
    {
        using var client = await fixture.NewClientAsync();
        var e = await Assert.ThrowsAsync<GridQueueException>(() => client.GenerateAsync(new GenerateRequest { Prompt = null!, Model = "sora-2" }));
        Assert.Equal(GridQueueErrorCodes.ValidationError, e.Code);
        Assert.Equal(HttpStatusCode.BadRequest, e.StatusCode);
        Assert.Equal(["prompt"], e.Details.Keys);
        Assert.False(string.IsNullOrWhiteSpace(e.Details["prompt"]));
    }

    [Fact]
    public async Task GenerateAsync_SeveralBadFields_DetailsNameEachOne()
    {
        using var client = await fixture.NewClientAsync();
        var e = await Assert.ThrowsAsync<GridQueueException>(() => client.GenerateAsync(new GenerateRequest { Prompt = "   ", Model = "sora-2", Duration = 61, AspectRatio = "4:3" }));
        Assert.Equal(GridQueueErrorCodes.ValidationError, e.Code);
        Assert.Equal(["aspect_ratio", "duration", "prompt"], e.Details.Keys.Order());
    }

    [Fact]
    public async Task ListAsync_BadCursor_IsValidationErrorNamingCursor()
    {
        using var client = await fixture.NewClientAsync();
        var e = await Assert.ThrowsAsync<GridQueueException>(() => client.ListAsync(limit: 500, cursor: "not-a-task"));
        Assert.Equal(GridQueueErrorCodes.ValidationError, e.Code);
        Assert.Equal(["cursor", "limit"], e.Details.Keys.Order());
    }

    [Fact]
    public async Task AnyCall_BadToken_IsUnauthorized401()
    {
        using var client = new GridQueueClient(fixture.Server.Address, "not.a.jwt");
        var e = await Assert.ThrowsAsync<GridQueueException>(() => client.ListAsync());
        Assert.Equal(GridQueueErrorCodes.Unauthorized, e.Code);
        Assert.Equal(HttpStatusCode.Unauthorized, e.StatusCode);
        Assert.DoesNotContain("not.a.jwt", e.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnyCall_NoToken_IsUnauthorized()
    {
        using var client = new GridQueueClient(fixture.Server.Address);
        var e = await Assert.ThrowsAsync<GridQueueException>(() => client.GetAsync("tsk_01JD3Q8W6Z9K2M4N7P0R5S8T1V"));
        Assert.Equal(GridQueueErrorCodes.Unauthorized, e.Code);
    }

    [Fact]
    public async Task AnyCall_NobodyListening_IsConnectionFailedWithoutStatus()
    {
        const string token = "eyJhbGciOiJIUzI1NiJ9.c2VjcmV0LXRva2Vu.c2ln";
        using var nobody = new RefusingPort();
        using var client = new GridQueueClient(nobody.Address, token);

        var e = await Assert.ThrowsAsync<GridQueueException>(() => client.GetServerInfoAsync());

        Assert.Equal(GridQueueErrorCodes.ConnectionFailed, e.Code);
        Assert.Null(e.StatusCode);
        Assert.True(e.IsTransient);
        Assert.IsType<HttpRequestException>(e.InnerException);
        Assert.DoesNotContain(token, e.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnyCall_HtmlPageInsteadOfTheApi_IsInvalidResponse()
    {
        const string token = "eyJhbGciOiJIUzI1NiJ9.c2VjcmV0LXRva2Vu.c2ln";
        await using var html = new RawHttpResponder(200, "OK", "text/html", "<html><body>Welcome to nginx!</body></html>");
        using var client = new GridQueueClient(html.Address, token);

        var e = await Assert.ThrowsAsync<GridQueueException>(() => client.ListAsync());

        Assert.Equal(GridQueueErrorCodes.InvalidResponse, e.Code);
        Assert.Equal(HttpStatusCode.OK, e.StatusCode);
        Assert.False(e.IsTransient);
        Assert.Contains("text/html", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(token, e.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnyCall_JsonThatIsNotTheEnvelope_IsInvalidResponse()
    {
        await using var other = new RawHttpResponder(200, "OK", "application/json", """{"status":"ok"}""");
        using var client = new GridQueueClient(other.Address, "t");
        var e = await Assert.ThrowsAsync<GridQueueException>(() => client.GetServerInfoAsync());
        Assert.Equal(GridQueueErrorCodes.InvalidResponse, e.Code);
    }

    [Fact]
    public async Task AnyCall_ProxyErrorPage_IsInvalidResponseWithItsStatus()
    {
        await using var proxy = new RawHttpResponder(502, "Bad Gateway", "text/html", "<html>502 Bad Gateway</html>");
        using var client = new GridQueueClient(proxy.Address, "t");
        var e = await Assert.ThrowsAsync<GridQueueException>(() => client.GetAsync("tsk_x"));
        Assert.Equal(GridQueueErrorCodes.InvalidResponse, e.Code);
        Assert.Equal(HttpStatusCode.BadGateway, e.StatusCode);
        Assert.True(e.IsTransient);
    }

    [Fact]
    public async Task AnyCall_CallerCancels_IsOperationCanceledNotAGridQueueException()
    {
        using var client = await fixture.NewClientAsync();
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => client.ListAsync(cancellationToken: cts.Token));
    }
}
