using System.Globalization;

namespace GridQueue.Bench.Tasks;

/// <summary>Prints report lines with invariant formatting, so numbers read the same on every machine.</summary>
internal static class Report
{
    public static void Line(FormattableString text)
    {
        ArgumentNullException.ThrowIfNull(text);
        Console.WriteLine(text.ToString(CultureInfo.InvariantCulture));
    }

    /// <summary>Milliseconds with one decimal; "n/a" for no samples.</summary>
    public static string Ms(double value) =>
        double.IsNaN(value) ? "n/a" : value.ToString("0.0", CultureInfo.InvariantCulture);

    /// <summary>A duration as seconds with one decimal, e.g. "12.3 s".</summary>
    public static string Seconds(TimeSpan value) =>
        value.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture) + " s";
}
