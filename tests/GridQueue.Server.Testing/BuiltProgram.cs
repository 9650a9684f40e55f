namespace GridQueue.Server.Testing;

/// <summary>Finds a program of this repository, built, to run as a child process with <c>dotnet &lt;dll&gt;</c>.</summary>
public static class BuiltProgram
{
    /// <summary>
    /// <paramref name="dll"/> beside this test assembly (a project reference copies it there with its runtimeconfig
    /// and deps files); else the build output of <c>src/&lt;project&gt;</c> for the same configuration.
    /// </summary>
    public static string Find(string dll, string project)
    {
        var beside = Path.Combine(AppContext.BaseDirectory, dll);
        if (IsRunnable(beside))
        {
            return beside;
        }

        // <repo>/tests/<test project>/bin/<configuration>/<framework>/
        var framework = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var configuration = framework.Parent!;
        for (var dir = framework; dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "GridQueue.slnx")))
            {
                var built = Path.Combine(dir.FullName, "src", project, "bin", configuration.Name, framework.Name, dll);
                if (IsRunnable(built))
                {
                    return built;
                }

                break;
            }
        }

        throw new FileNotFoundException(
            $"{dll} with its runtimeconfig was found neither in {AppContext.BaseDirectory} nor in src/{project}'s build output; build it first.");
    }

    /// <summary>The repository's root (the folder of GridQueue.slnx) above this test assembly.</summary>
    public static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "GridQueue.slnx")))
            {
                return dir.FullName;
            }
        }

        throw new DirectoryNotFoundException($"No GridQueue.slnx above {AppContext.BaseDirectory}.");
    }

    private static bool IsRunnable(string path) => File.Exists(path) && File.Exists(Path.ChangeExtension(path, ".runtimeconfig.json"));
}
