using System.Text.Json;
using System.Text.Json.Serialization;

namespace GridQueue.Client.Json;

/// <summary>
/// Reads and writes <see cref="VideoTaskStatus"/> as the contract's lowercase strings only. A number or an unknown
/// name is an error (the answer is not the contract's), rather than an enum value that was never sent.
/// </summary>
internal sealed class VideoTaskStatusJsonConverter : JsonConverter<VideoTaskStatus>
{
    public override VideoTaskStatus Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.String && VideoTaskStatusNames.TryParse(reader.GetString(), out var status))
        {
            return status;
        }

        throw new JsonException("status must be one of queued, running, succeeded, failed, cancelled.");
    }

    public override void Write(Utf8JsonWriter writer, VideoTaskStatus value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteStringValue(value.ToWire());
    }
}
