using GridQueue.Cli;

try
{
    return await CliApp.RunAsync(args, CliConsole.FromSystem());
}
catch (Exception e)
{
    // Not hidden: a bug in the tool is reported in full, with its own exit code.
    await Console.Error.WriteLineAsync($"gridqueue: internal error, please report it: {e}");
    return ExitCodes.InternalError;
}
