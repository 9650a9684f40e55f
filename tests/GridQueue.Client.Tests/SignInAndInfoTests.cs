using System.Reflection;
using GridQueue.Client.Tests.Infrastructure;

namespace GridQueue.Client.Tests;

/// <summary>CreateDevTokenAsync and GetServerInfoAsync against a dev-mode server.</summary>
public sealed class SignInAndInfoTests(ClientServerFixture fixture) : IClassFixture<ClientServerFixture>
{
    [Fact]
    public async Task CreateDevTokenAsync_ReturnsAWorkingTokenWithoutSettingToken()
    {
        using var client = new GridQueueClient(fixture.Server.Address);
        var user = ClientSignIn.NewUser();

        var token = await client.CreateDevTokenAsync(user);

        Assert.Null(client.Token);
        Assert.Equal(3, token.Split('.').Length); // a JWT
        client.Token = token;
        var task = await client.GenerateAsync(ClientSignIn.Request());
        Assert.Equal(user, task.UserId);
    }

    [Fact]
    public async Task CreateDevTokenAsync_BlankUserId_IsValidationErrorNamingTheField()
    {
        using var client = new GridQueueClient(fixture.Server.Address);
        var e = await Assert.ThrowsAsync<GridQueueException>(() => client.CreateDevTokenAsync(" "));
        Assert.Equal(GridQueueErrorCodes.ValidationError, e.Code);
        Assert.True(e.Details.ContainsKey("user_id"), string.Join(", ", e.Details.Keys));
    }

    [Fact]
    public async Task GetServerInfoAsync_WithoutToken_ReturnsModeProvidersAndVersion()
    {
        using var client = new GridQueueClient(fixture.Server.Address);
        var info = await client.GetServerInfoAsync();
        Assert.Equal("dev", info.AuthMode);
        Assert.Equal("simulator", info.DefaultProvider);
        Assert.Contains("simulator", info.Providers);
        var built = typeof(GridQueue.Server.Hosting.ServerApp).Assembly
            .GetCustomAttribute<AssemblyInformationalVersionAttribute>()!.InformationalVersion;
        Assert.NotEmpty(info.Version);
        Assert.Equal(built, info.Version);
    }

    [Fact]
    public void Constructor_HttpClientWithoutBaseAddress_IsRejected()
    {
        using var http = new HttpClient();
        Assert.Throws<ArgumentException>(() => new GridQueueClient(http));
    }

    [Fact]
    public void Server_PathPrefixWithoutSlash_KeepsThePrefix()
    {
        using var client = new GridQueueClient(new Uri("http://127.0.0.1:5080/gridqueue"));
        Assert.Equal("http://127.0.0.1:5080/gridqueue/", client.Server.ToString());
    }

    [Fact]
    public void Token_WithSpaces_IsRejectedWithoutEchoingIt()
    {
        using var client = new GridQueueClient(GridQueueClientDefaults.DefaultServer);
        var e = Assert.Throws<ArgumentException>(() => client.Token = "secret value");
        Assert.DoesNotContain("secret", e.Message, StringComparison.Ordinal);
        client.Token = " abc.def.ghi\n";
        Assert.Equal("abc.def.ghi", client.Token);
    }
}
