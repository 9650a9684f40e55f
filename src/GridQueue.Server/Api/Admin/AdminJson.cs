using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace GridQueue.Server.Api.Admin;

/// <summary>Writes the admin bodies into the envelope: snake_case names from the types, times in UTC with Z as the contract asks.</summary>
public static class AdminJson
{
    private static readonly JsonSerializerOptions Options = new() { Converters = { new UtcTimeConverter() } };

    public static EnvelopeResult Data<T>(T value) => EnvelopeResult.Success(w => JsonSerializer.Serialize(w, value, Options));

    private sealed class UtcTimeConverter : JsonConverter<DateTimeOffset>
    {
        public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            DateTimeOffset.Parse(reader.GetString()!, CultureInfo.InvariantCulture);

        public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options) =>
            writer.WriteStringValue(value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture));
    }
}
