using GridQueue.Tasks.Events;
using GridQueue.Tasks.Model;
using Xunit;

namespace GridQueue.Tasks.Tests.Events;

/// <summary>Logged payloads leave the images out; putting them back gives exactly the task object clients get.</summary>
public sealed class EventPayloadTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 2, 9, 0, 0, TimeSpan.Zero);

    private static VideoTask Task(IReadOnlyList<string> images, string prompt = "a kite") => new()
    {
        Id = TaskIds.New(Now),
        UserId = "alice",
        Provider = "simulator",
        Model = "sora-2",
        Prompt = prompt,
        AspectRatio = "16:9",
        Duration = 10,
        Hd = false,
        Images = images,
        Status = VideoTaskStatus.Running,
        Progress = 40,
        CreatedAt = Now,
        UpdatedAt = Now,
    };

    [Fact]
    public void SerializeForLog_LeavesImagesOut_AndWithImagesRestoresTheSameBytes()
    {
        // '+', '/', '<' and a non-ASCII letter are all escaped by the task JSON: the splice must keep that escaping.
        var task = Task(["data:image/png;base64,iVBO+w/0<ü>==", "https://img.example/a.png?x=1&y=2"]);

        var logged = TaskJson.SerializeForLog(task);

        Assert.Contains("\"images\":[]", logged, StringComparison.Ordinal);
        Assert.DoesNotContain("iVBO", logged, StringComparison.Ordinal);
        Assert.Equal(TaskJson.Serialize(task), EventPayload.WithImages(logged, TaskJson.SerializeImages(task.Images)));
    }

    [Fact]
    public void WithImages_PromptSpellingTheImagesField_ReplacesOnlyTheField()
    {
        var task = Task(["https://img.example/a.png"], prompt: "\"images\":[] and \"images\":[]");

        var restored = EventPayload.WithImages(TaskJson.SerializeForLog(task), TaskJson.SerializeImages(task.Images));

        Assert.Equal(TaskJson.Serialize(task), restored);
    }

    [Fact]
    public void WithImages_OldPayloadThatCarriesItsImages_IsReturnedUnchanged()
    {
        var task = Task(["https://img.example/a.png"]);
        var old = TaskJson.Serialize(task);

        Assert.Same(old, EventPayload.WithImages(old, TaskJson.SerializeImages(task.Images)));
    }

    [Fact]
    public void WithImages_TaskWithoutImages_IsReturnedUnchanged()
    {
        var task = Task([]);
        var logged = TaskJson.SerializeForLog(task);

        Assert.Equal(TaskJson.Serialize(task), logged);
        Assert.Same(logged, EventPayload.WithImages(logged, TaskJson.SerializeImages(task.Images)));
    }

    [Fact]
    public void SerializeImages_IsWhatTheDefaultSerializerWrote()
    {
        // Task rows written before SerializeImages existed hold JsonSerializer's text; both must be the same bytes.
        string[] images = ["data:image/png;base64,iVBO+w/0<ü>==", "https://img.example/a.png?x=1&y=2"];

        Assert.Equal(System.Text.Json.JsonSerializer.Serialize(images), TaskJson.SerializeImages(images));
    }
}
