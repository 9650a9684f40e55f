namespace GridQueue.Client;

/// <summary>What <c>GET /api/v1/info</c> tells a client before it signs in.</summary>
/// <param name="AuthMode"><c>dev</c> (tokens from <see cref="GridQueueClient.CreateDevTokenAsync"/>) or <c>jwt</c>.</param>
/// <param name="DefaultProvider">The provider used when a request names none.</param>
/// <param name="Providers">The configured providers.</param>
/// <param name="Version">
/// The server's version (e.g. <c>0.9.0+&lt;git commit&gt;</c>); empty from a server older than the field, which did not send it.
/// </param>
public sealed record ServerInfo(string AuthMode, string DefaultProvider, IReadOnlyList<string> Providers, string Version = "");
