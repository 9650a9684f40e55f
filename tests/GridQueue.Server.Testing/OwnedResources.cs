namespace GridQueue.Server.Testing;

/// <summary>What a test started (servers, simulators), disposed in reverse order when the test ends.</summary>
public sealed class OwnedResources : IAsyncDisposable
{
    private readonly List<IAsyncDisposable> _items = [];

    /// <summary>Keeps <paramref name="item"/> for disposal and returns it.</summary>
    public T Add<T>(T item)
        where T : IAsyncDisposable
    {
        _items.Add(item);
        return item;
    }

    public async ValueTask DisposeAsync()
    {
        for (var i = _items.Count - 1; i >= 0; i--)
        {
            await _items[i].DisposeAsync();
        }

        _items.Clear();
    }
}
