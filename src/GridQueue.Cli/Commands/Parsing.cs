using System.CommandLine;
using System.Globalization;

namespace GridQueue.Cli.Commands;

/// <summary>Options whose bad values are usage errors with a message a person understands.</summary>
internal static class Parsing
{
    /// <summary>A whole number in [<paramref name="min"/>, <paramref name="max"/>], or null when the option is not given.</summary>
    public static Option<int?> RangeOption(string name, string helpName, int min, int max, string description) => new(name)
    {
        Description = description,
        HelpName = helpName,
        CustomParser = result =>
        {
            var text = result.Tokens.Count == 1 ? result.Tokens[0].Value : string.Join(' ', result.Tokens.Select(t => t.Value));
            if (int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max)
            {
                return value;
            }

            result.AddError($"{name} must be a whole number from {min} to {max}, not '{text}'");
            return null;
        },
    };

    /// <summary>A task id argument.</summary>
    public static Argument<string> TaskId(string description = "The task's id (tsk_...)") => new("task-id")
    {
        Description = description,
    };

    /// <summary>--wait / -w of submit and retry.</summary>
    public static Option<bool> Wait() => new("--wait", "-w")
    {
        Description = "Wait until the task ends, with a progress bar on stderr; prints the video URL on stdout. Exit 1 when it fails or is cancelled",
    };

    /// <summary>--api-key of submit and retry; its value falls back to $GRIDQUEUE_USER_API_KEY (see <see cref="ApiKeyValue"/>).</summary>
    public static Option<string?> ApiKey(string description) => new("--api-key")
    {
        Description = $"{description} (default: ${CliConsole.UserApiKeyVariable}); never printed",
        HelpName = "key",
    };

    /// <summary>The user's own upstream key: the option, else the environment variable, else null.</summary>
    public static string? ApiKeyValue(ParseResult parse, Option<string?> option, CommandContext context) =>
        parse.GetValue(option) is { Length: > 0 } key ? key : context.Console.Variable(CliConsole.UserApiKeyVariable) is { Length: > 0 } variable ? variable : null;
}
