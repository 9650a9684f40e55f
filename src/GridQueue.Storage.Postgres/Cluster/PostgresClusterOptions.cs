namespace GridQueue.Storage.Postgres.Cluster;

/// <summary>How the nodes that share one PostgreSQL database find each other's changes and elect a leader.</summary>
public sealed class PostgresClusterOptions
{
    public static readonly TimeSpan DefaultLeaderRetryInterval = TimeSpan.FromSeconds(15);
    public static readonly TimeSpan DefaultListenRetryMaxDelay = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How often a node that does not lead tries to take the lead, and a leader checks that its connection (which
    /// holds the lead) is still alive. When a leader dies another node leads within about this long.
    /// </summary>
    public TimeSpan LeaderRetryInterval { get; set; } = DefaultLeaderRetryInterval;

    /// <summary>The longest pause between attempts to re-open the listening connection (the pause doubles from 0.5 s).</summary>
    public TimeSpan ListenRetryMaxDelay { get; set; } = DefaultListenRetryMaxDelay;
}
