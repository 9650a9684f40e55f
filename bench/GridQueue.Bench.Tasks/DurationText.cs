using System.Globalization;

namespace GridQueue.Bench.Tasks;

/// <summary>Durations on the command line: "500ms", "2s", "1.5s", "2m", or a TimeSpan such as "00:00:02".</summary>
internal static class DurationText
{
    public static bool TryParse(string text, out TimeSpan value)
    {
        value = default;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        text = text.Trim();
        (string Suffix, double Ms)[] units = [("ms", 1), ("s", 1000), ("m", 60_000), ("h", 3_600_000)];
        foreach (var (suffix, ms) in units)
        {
            if (text.EndsWith(suffix, StringComparison.OrdinalIgnoreCase)
                && double.TryParse(text[..^suffix.Length], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number))
            {
                value = TimeSpan.FromMilliseconds(number * ms);
                return true;
            }
        }

        return TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out value);
    }

    /// <summary>"2 s", "1.5 s", "500 ms", "2 min".</summary>
    public static string Format(TimeSpan value) => value switch
    {
        { TotalMilliseconds: < 1000 } => value.TotalMilliseconds.ToString("0.#", CultureInfo.InvariantCulture) + " ms",
        { TotalSeconds: < 120 } => value.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture) + " s",
        _ => value.TotalMinutes.ToString("0.##", CultureInfo.InvariantCulture) + " min",
    };
}
