using System.Globalization;

namespace GridQueue.Server.Api.Admin;

/// <summary>
/// The query string of an admin route: only the names the route knows (plus limit) are accepted, so a mistyped
/// filter is a 400 rather than a silently unfiltered answer; every problem is collected into one VALIDATION_ERROR.
/// </summary>
public sealed class AdminQuery
{
    private readonly IQueryCollection _query;
    private readonly Dictionary<string, string> _errors = new(StringComparer.Ordinal);

    private AdminQuery(IQueryCollection query) => _query = query;

    public int Limit { get; private set; } = AdminEndpoints.DefaultLimit;

    public EnvelopeResult? Error => _errors.Count == 0 ? null : ApiErrors.Validation(_errors);

    public static AdminQuery Read(IQueryCollection query, params string[] known)
    {
        ArgumentNullException.ThrowIfNull(query);
        var result = new AdminQuery(query);
        foreach (var name in query.Keys.Where(k => k != "limit" && !known.Contains(k, StringComparer.Ordinal)))
        {
            result.Fail(name, $"{name} is not a parameter of this route" + (known.Length > 0 ? $"; it takes {string.Join(", ", known)} and limit." : "; it takes limit only."));
        }

        if (result.Text("limit") is { } text)
        {
            if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var limit) && limit is >= 1 and <= AdminEndpoints.MaxLimit)
            {
                result.Limit = limit;
            }
            else
            {
                result.Fail("limit", $"limit must be a whole number from 1 to {AdminEndpoints.MaxLimit}.");
            }
        }

        return result;
    }

    /// <summary>The parameter's value, trimmed; null when absent or empty.</summary>
    public string? Text(string name) => _query.TryGetValue(name, out var value) && !string.IsNullOrWhiteSpace(value) ? value.ToString().Trim() : null;

    /// <summary>A whole number parameter, <paramref name="fallback"/> when absent; records an error when malformed.</summary>
    public long Long(string name, long fallback)
    {
        if (Text(name) is not { } text)
        {
            return fallback;
        }

        if (long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value))
        {
            return value;
        }

        Fail(name, $"{name} must be a whole number.");
        return fallback;
    }

    public void Fail(string name, string message) => _errors.TryAdd(name, message);
}
