using GridQueue.Server.Testing;

namespace GridQueue.Client.Tests.Infrastructure;

/// <summary>One real server shared by a test class; each test signs in as its own user, so tests do not see each other's tasks.</summary>
public sealed class ClientServerFixture : IAsyncLifetime
{
    public RunningServer Server { get; private set; } = null!;

    public async Task InitializeAsync() => Server = await RunningServer.StartAsync();

    public async Task DisposeAsync() => await Server.DisposeAsync();

    /// <summary>A client signed in (dev token) as a new user.</summary>
    public Task<GridQueueClient> NewClientAsync(string? user = null) => Server.NewClientAsync(user);
}

/// <summary>Sign-in helpers over any running server.</summary>
public static class ClientSignIn
{
    public static async Task<GridQueueClient> NewClientAsync(this RunningServer server, string? user = null, Uri? through = null)
    {
        ArgumentNullException.ThrowIfNull(server);
        var client = new GridQueueClient(through ?? server.Address);
        client.Token = await client.CreateDevTokenAsync(user ?? NewUser());
        return client;
    }

    public static string NewUser() => "u-" + Guid.NewGuid().ToString("N")[..12];

    public static GenerateRequest Request(string prompt = "a red kite over the sea") => new() { Prompt = prompt, Model = "sora-2" };
}
