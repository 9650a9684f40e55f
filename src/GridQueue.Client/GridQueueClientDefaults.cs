namespace GridQueue.Client;

/// <summary>Where tools built on the client look for the server address and the token, and the address they fall back to.</summary>
public static class GridQueueClientDefaults
{
    /// <summary>Environment variable holding the server's base address, e.g. <c>http://127.0.0.1:5080/</c>.</summary>
    public const string ServerEnvironmentVariable = "GRIDQUEUE_SERVER";

    /// <summary>Environment variable holding the bearer token.</summary>
    public const string TokenEnvironmentVariable = "GRIDQUEUE_TOKEN";

    /// <summary>The server's default listen address (<c>http://127.0.0.1:5080/</c>).</summary>
    public static readonly Uri DefaultServer = new("http://127.0.0.1:5080/");
}
