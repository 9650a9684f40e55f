using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace GridQueue.Simulator;

/// <summary>
/// Reads a time span as <c>"00:00:05"</c> or as a number of seconds, so fault settings are easy to type by hand;
/// writes the <c>"00:00:05"</c> form, which is also what configuration files use.
/// </summary>
internal sealed class TimeSpanJsonConverter : JsonConverter<TimeSpan>
{
    public override TimeSpan Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.Number)
        {
            return TimeSpan.FromSeconds(reader.GetDouble());
        }

        if (reader.TokenType == JsonTokenType.String
            && TimeSpan.TryParse(reader.GetString(), CultureInfo.InvariantCulture, out var value))
        {
            return value;
        }

        throw new JsonException("A time span must be a number of seconds or a string such as \"00:00:05\".");
    }

    public override void Write(Utf8JsonWriter writer, TimeSpan value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteStringValue(value.ToString("c", CultureInfo.InvariantCulture));
    }
}
