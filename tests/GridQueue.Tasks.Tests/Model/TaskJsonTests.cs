using System.Buffers;
using System.Text;
using System.Text.Json;
using GridQueue.Tasks.Model;
using Xunit;

namespace GridQueue.Tasks.Tests.Model;

/// <summary>Long images are written in segments; the bytes must be those of one string value.</summary>
public sealed class TaskJsonTests
{
    [Theory]
    [InlineData(TaskJson.ImageSegmentChars - 1)]
    [InlineData(TaskJson.ImageSegmentChars)]
    [InlineData(TaskJson.ImageSegmentChars + 1)]
    [InlineData(3 * TaskJson.ImageSegmentChars + 5)]
    public void SerializeImages_LongImages_SameBytesAsOneStringValue(int length)
    {
        // Characters the default encoder escapes ('+', '<', non-ASCII, a control character), and a surrogate pair
        // that straddles the first segment boundary.
        var text = new StringBuilder();
        var random = new Random(length);
        const string alphabet = "ABCxyz019+/=<&ü\u0001";
        while (text.Length < length)
        {
            text.Append(alphabet[random.Next(alphabet.Length)]);
        }

        text.Length = length;
        if (length > TaskJson.ImageSegmentChars)
        {
            text[TaskJson.ImageSegmentChars - 1] = '\uD83C';
            text[TaskJson.ImageSegmentChars] = '\uDF88';
        }

        string[] images = ["data:image/png;base64,", text.ToString()];

        var written = TaskJson.SerializeImages(images);

        Assert.Equal(OneValueEach(images), written);
        Assert.Equal(images, JsonSerializer.Deserialize<string[]>(written));
    }

    private static string OneValueEach(IEnumerable<string> images)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartArray();
            foreach (var image in images)
            {
                writer.WriteStringValue(image);
            }

            writer.WriteEndArray();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }
}
