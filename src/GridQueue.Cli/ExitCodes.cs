namespace GridQueue.Cli;

/// <summary>The process exit codes, as documented in <c>gridqueue --help</c>.</summary>
internal static class ExitCodes
{
    /// <summary>The command did what was asked (for submit --wait, retry --wait and watch &lt;task-id&gt;: the task succeeded).</summary>
    public const int Success = 0;

    /// <summary>The task that was waited for or watched ended failed or cancelled.</summary>
    public const int TaskFailed = 1;

    /// <summary>Unknown command or option, a missing or invalid argument, no token for a command that needs one.</summary>
    public const int Usage = 2;

    /// <summary>The server answered with the contract's error envelope (a GridQueueException with a contract code).</summary>
    public const int ServerRefused = 3;

    /// <summary>The server could not be reached or did not answer with the GridQueue API (CONNECTION_FAILED, INVALID_RESPONSE).</summary>
    public const int Unreachable = 4;

    /// <summary>A bug in gridqueue itself: an exception nobody expected; the whole exception is printed.</summary>
    public const int InternalError = 70;

    /// <summary>Ctrl+C (SIGINT) or SIGTERM while waiting or watching: 128 + SIGINT, as shells do.</summary>
    public const int Interrupted = 130;

    public const string Help = """
        Exit codes:
          0    success (with --wait or watch <task-id>: the task succeeded)
          1    the task failed or was cancelled (submit --wait, retry --wait, watch <task-id>)
          2    usage error: unknown command or option, missing or invalid argument, no token
          3    the server refused the request: error: <CODE>: <message> on stderr
          4    the server could not be reached (check --server or GRIDQUEUE_SERVER)
          70   internal error in gridqueue (a bug; the exception is printed)
          130  interrupted (Ctrl+C)
        """;
}
