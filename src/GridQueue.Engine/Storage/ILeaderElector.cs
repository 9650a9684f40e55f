namespace GridQueue.Engine.Storage;

/// <summary>
/// Whether this node runs the chores that concern the whole database (rescuing expired leases, deleting old rows,
/// sweeping stuck tasks). They are safe to run on several nodes at once (every change is conditional), but one node
/// doing them is enough, and N nodes doing them is N times the scans. A backend shared by several nodes elects one;
/// a single-node backend is always leader (<see cref="AlwaysLeader"/>).
/// </summary>
public interface ILeaderElector
{
    /// <summary>
    /// True while this node believes it leads. It may lag the truth by one election interval (a leader whose
    /// connection silently died still says true until it notices), which is why the chores must stay safe to overlap.
    /// </summary>
    bool IsLeader { get; }
}

/// <summary>The elector of a backend with one node: it always leads.</summary>
public sealed class AlwaysLeader : ILeaderElector
{
    public static readonly AlwaysLeader Instance = new();

    public bool IsLeader => true;
}
