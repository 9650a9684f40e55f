using System.Reflection;

namespace GridQueue.Server.Hosting;

/// <summary>
/// The server's version: the assembly's informational version (the solution's <c>Version</c>, plus <c>+&lt;git commit&gt;</c>
/// when built from a checkout), so an operator and a client can tell exactly which build answers.
/// <c>GridQueue.Server --version</c> prints it and exits without starting; <c>GET /api/v1/info</c> reports it.
/// </summary>
public static class ServerVersion
{
    public const string Option = "--version";

    /// <summary>The informational version; the SDK always writes the attribute, so its absence is a broken build.</summary>
    public static string Informational { get; } =
        typeof(ServerVersion).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
        ?? throw new InvalidOperationException("GridQueue.Server was built without an informational version.");

    /// <summary>Prints the version alone on stdout, so scripts can read it.</summary>
    public static int Print()
    {
        Console.WriteLine(Informational);
        return 0;
    }
}
