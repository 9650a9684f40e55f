using GridQueue.Storage.Postgres.Cluster;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace GridQueue.Storage.Postgres.Tests.Cluster;

/// <summary>The Data Protection key ring in the shared database: what one node encrypts, another decrypts.</summary>
public sealed class PostgresKeyRingTests : IAsyncLifetime
{
    private ClusterDatabase _cluster = null!;

    public async Task InitializeAsync() => _cluster = await ClusterDatabase.CreateAsync();

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    [Fact]
    public void ValueProtectedOnOneNode_UnprotectsOnAnother_WithOneKeyInTheTable()
    {
        using var nodeOne = DataProtection();
        using var nodeTwo = DataProtection();
        var protectedOnOne = Protector(nodeOne).Protect("sk-user-key");

        Assert.Equal("sk-user-key", Protector(nodeTwo).Unprotect(protectedOnOne));
        Assert.Single(new PostgresKeyRing(_cluster.OpenStore()).GetAllElements());
    }

    [Fact]
    public void KeyMadeAfterAnotherNodeLoadedItsRing_IsFoundWhenThatNodeMeetsIt()
    {
        using var nodeOne = DataProtection();
        using var nodeTwo = DataProtection();
        Assert.Equal("first", Protector(nodeTwo).Unprotect(Protector(nodeOne).Protect("first")));

        // Node one adds a key and makes it the default; node two has the ring cached without it.
        var manager = nodeOne.GetRequiredService<IKeyManager>();
        manager.CreateNewKey(DateTimeOffset.UtcNow, DateTimeOffset.UtcNow.AddDays(90));
        manager.RevokeAllKeys(DateTimeOffset.UtcNow.AddSeconds(-1), "test: move to the new key");
        using var fresh = DataProtection();
        var protectedWithNewKey = Protector(fresh).Protect("second");

        Assert.Equal("second", Protector(nodeTwo).Unprotect(protectedWithNewKey));
    }

    private ServiceProvider DataProtection()
    {
        var services = new ServiceCollection();
        services.AddSingleton(_cluster.OpenStore());
        services.AddDataProtection().SetApplicationName("GridQueue");
        services.AddOptions<KeyManagementOptions>()
            .Configure<PostgresJobStore>((options, store) => options.XmlRepository = new PostgresKeyRing(store));
        return services.BuildServiceProvider();
    }

    private static IDataProtector Protector(IServiceProvider services) =>
        services.GetRequiredService<IDataProtectionProvider>().CreateProtector("GridQueue.Tasks.UserApiKey");
}
