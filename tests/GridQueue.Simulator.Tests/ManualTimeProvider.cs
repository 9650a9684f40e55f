namespace GridQueue.Simulator.Tests;

/// <summary>A clock that moves only when the test says, so phase boundaries can be checked exactly.</summary>
internal sealed class ManualTimeProvider : TimeProvider
{
    private long utcTicks = new DateTimeOffset(2025, 9, 1, 12, 0, 0, TimeSpan.Zero).UtcTicks;

    public override DateTimeOffset GetUtcNow() => new(Interlocked.Read(ref utcTicks), TimeSpan.Zero);

    public void Advance(TimeSpan by) => Interlocked.Add(ref utcTicks, by.Ticks);
}
