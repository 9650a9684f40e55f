namespace GridQueue.Tasks.Providers.Simulator;

/// <summary>
/// Where the simulator's finished videos are: a real, playable clip the host serves itself, so a first run with
/// nothing configured ends in a video a browser can play. The host registers it (it knows its own address and files);
/// <see cref="SimulatorProviderOptions.VideoUrl"/> overrides it.
/// </summary>
public interface ISimulatorVideoLocation
{
    /// <summary>The clip's absolute URL, or null while it cannot be known yet (the host is not listening yet).</summary>
    string? VideoUrl { get; }
}
