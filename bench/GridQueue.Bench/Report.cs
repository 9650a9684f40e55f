using System.Globalization;

namespace GridQueue.Bench;

/// <summary>Prints report lines with invariant formatting, so numbers read the same on every machine.</summary>
internal static class Report
{
    public static void Line(FormattableString text)
    {
        ArgumentNullException.ThrowIfNull(text);
        Console.WriteLine(text.ToString(CultureInfo.InvariantCulture));
    }

    public static double PerSecond(int count, TimeSpan elapsed) => count / elapsed.TotalSeconds;
}
