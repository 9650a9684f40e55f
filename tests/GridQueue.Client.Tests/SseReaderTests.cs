using System.Text;
using GridQueue.Client.Sse;

namespace GridQueue.Client.Tests;

/// <summary>The event-stream parser on exact bytes: the parts of the standard a server or proxy may exercise.</summary>
public sealed class SseReaderTests
{
    [Fact]
    public async Task ReadAsync_ServersFormat_YieldsEventsAndTakesTheRetryHint()
    {
        var reader = Reader("retry: 2000\n\n: ping\n\nid: 7\nevent: task\ndata: {\"a\":1}\n\n");

        var message = await reader.ReadAsync(default);

        Assert.Equal(new SseMessage("task", "{\"a\":1}", "7"), message);
        Assert.Equal(TimeSpan.FromSeconds(2), reader.Retry);
        Assert.Null(await reader.ReadAsync(default));
    }

    [Fact]
    public async Task ReadAsync_CrLfAndCrLineEndsAndMultiLineData_AreHandled()
    {
        var reader = Reader("id:1\r\nevent:task\r\ndata:line one\r\ndata: line two\r\n\r\nid: 2\revent: task\rdata: x\r\r");

        Assert.Equal(new SseMessage("task", "line one\nline two", "1"), await reader.ReadAsync(default));
        Assert.Equal(new SseMessage("task", "x", "2"), await reader.ReadAsync(default));
    }

    [Fact]
    public async Task ReadAsync_EventCutOffBeforeItsBlankLine_IsNeverReturned()
    {
        var reader = Reader("id: 1\nevent: task\ndata: {}\n\nid: 2\nevent: task\ndata: {\"half\":");

        Assert.Equal("1", (await reader.ReadAsync(default))!.Id);
        Assert.Null(await reader.ReadAsync(default));
    }

    [Fact]
    public async Task ReadAsync_IdOnlyBlock_IsReturnedAsAResumePointWithoutData()
    {
        var reader = Reader("id: 42\n\ndata: hello\n\n");

        Assert.Equal(new SseMessage("message", string.Empty, "42"), await reader.ReadAsync(default));
        Assert.Equal(new SseMessage("message", "hello", "42"), await reader.ReadAsync(default)); // the id stays in force
    }

    [Fact]
    public async Task ReadAsync_BadRetryAndUnknownFields_AreIgnored()
    {
        var reader = Reader("retry: soon\nfoo: bar\nevent: task\ndata: 1\n\n");

        Assert.Equal(new SseMessage("task", "1", null), await reader.ReadAsync(default));
        Assert.Null(reader.Retry);
    }

    private static SseReader Reader(string text) => new(new MemoryStream(Encoding.UTF8.GetBytes(text)));
}
