using System.CommandLine;
using System.CommandLine.Invocation;

namespace GridQueue.Cli.Output;

/// <summary>
/// --help as System.CommandLine writes it, followed by the command's own text (examples, exit codes), which the
/// library has no place for.
/// </summary>
internal sealed class HelpWithExamplesAction(SynchronousCommandLineAction help, IReadOnlyDictionary<Command, string> epilogs) : SynchronousCommandLineAction
{
    public override bool ClearsParseErrors => true;

    public override int Invoke(ParseResult parseResult)
    {
        ArgumentNullException.ThrowIfNull(parseResult);
        var result = help.Invoke(parseResult);
        if (epilogs.TryGetValue(parseResult.CommandResult.Command, out var epilog))
        {
            var output = parseResult.InvocationConfiguration.Output;
            output.WriteLine(epilog.TrimEnd());
            output.WriteLine();
        }

        return result;
    }
}
