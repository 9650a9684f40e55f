namespace GridQueue.Bench.Tasks;

/// <summary>
/// Finds the GridQueue.Server.dll to run as a child process: the copy the build put beside this benchmark (same
/// configuration as the benchmark), else the server project's own Release (then Debug) output in the repository.
/// </summary>
internal static class ServerLocator
{
    public const string ServerDllName = "GridQueue.Server.dll";

    public static string? Find(string? configured)
    {
        if (configured is not null)
        {
            return Path.GetFullPath(configured);
        }

        return Candidates().FirstOrDefault(IsRunnable);
    }

    /// <summary>Where <see cref="Find"/> looked, for the error message when nothing was found.</summary>
    public static IEnumerable<string> Candidates()
    {
        yield return Path.Combine(AppContext.BaseDirectory, ServerDllName);
        if (RepositoryRoot() is { } root)
        {
            foreach (var configuration in new[] { "Release", "Debug" })
            {
                yield return Path.Combine(root, "src", "GridQueue.Server", "bin", configuration, "net10.0", ServerDllName);
            }
        }
    }

    // "dotnet X.dll" needs X.runtimeconfig.json and X.deps.json beside it.
    private static bool IsRunnable(string dll) =>
        File.Exists(dll)
        && File.Exists(Path.ChangeExtension(dll, ".runtimeconfig.json"))
        && File.Exists(Path.ChangeExtension(dll, ".deps.json"));

    private static string? RepositoryRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "GridQueue.slnx")))
            {
                return folder.FullName;
            }
        }

        return null;
    }
}
