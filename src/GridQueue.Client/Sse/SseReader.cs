using System.Globalization;
using System.Text;

namespace GridQueue.Client.Sse;

/// <summary>
/// Parses a <c>text/event-stream</c> the way the HTML standard's EventSource does: lines end with CRLF, LF or CR;
/// <c>field: value</c> (one space after the colon dropped); comment lines start with a colon; a blank line dispatches
/// the event. An event cut off by a dropped connection (no blank line yet) is never returned, so a partial event
/// cannot be mistaken for a whole one.
/// </summary>
internal sealed class SseReader(Stream stream, Action? lineReceived = null)
{
    private readonly StreamReader _reader = new(stream, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false), detectEncodingFromByteOrderMarks: false);
    private readonly StringBuilder _data = new();
    private string _event = string.Empty;
    private string? _lastEventId;
    private bool _hasData;

    /// <summary>The reconnection time the server last asked for with a <c>retry:</c> line, if any.</summary>
    public TimeSpan? Retry { get; private set; }

    /// <summary>
    /// The next event (including id-only blocks, with empty data), or null when the stream ends. Comments and
    /// <c>retry:</c> lines are consumed here. Transport failures surface as the stream's own exceptions.
    /// </summary>
    public async Task<SseMessage?> ReadAsync(CancellationToken cancellationToken)
    {
        var idSeen = false;
        while (await _reader.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } line)
        {
            lineReceived?.Invoke(); // any line, a ping included, shows the connection is alive
            if (line.Length == 0)
            {
                if (_hasData || idSeen)
                {
                    var message = new SseMessage(_event.Length == 0 ? "message" : _event, _data.ToString(), _lastEventId);
                    Reset();
                    return message;
                }

                Reset();
                continue;
            }

            if (line[0] == ':')
            {
                continue; // a comment, e.g. the server's ": ping"
            }

            var colon = line.IndexOf(':', StringComparison.Ordinal);
            var field = colon < 0 ? line : line[..colon];
            var value = colon < 0 ? string.Empty : line[(colon + 1)..];
            if (value.StartsWith(' '))
            {
                value = value[1..];
            }

            switch (field)
            {
                case "event":
                    _event = value;
                    break;
                case "data":
                    if (_hasData)
                    {
                        _data.Append('\n');
                    }

                    _data.Append(value);
                    _hasData = true;
                    break;
                case "id" when !value.Contains('\0', StringComparison.Ordinal):
                    _lastEventId = value;
                    idSeen = true;
                    break;
                case "retry" when value.Length > 0 && value.All(char.IsAsciiDigit)
                    && long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var milliseconds):
                    Retry = TimeSpan.FromMilliseconds(milliseconds);
                    break;
                default:
                    break; // unknown fields are ignored, as the standard says
            }
        }

        return null;
    }

    private void Reset()
    {
        _data.Clear();
        _hasData = false;
        _event = string.Empty;
    }
}
