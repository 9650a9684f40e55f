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
}
