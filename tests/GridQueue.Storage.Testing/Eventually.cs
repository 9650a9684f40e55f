namespace GridQueue.Storage.Testing;

/// <summary>Waits for a condition that background work will make true, failing with what was awaited.</summary>
public static class Eventually
{
    public static async Task UntilAsync(Func<bool> condition, string what, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(15));
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new Xunit.Sdk.XunitException($"Timed out waiting until {what}.");
            }

            await Task.Delay(10);
        }
    }
}
