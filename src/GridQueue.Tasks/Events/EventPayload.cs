namespace GridQueue.Tasks.Events;

/// <summary>
/// Puts a task's images back into an event payload read from the log. Payloads are stored with
/// <c>"images":[]</c> (<see cref="Model.TaskJson.SerializeForLog"/>): a task makes about six events, and repeating
/// megabytes of data: images in each of them would multiply the disk and the memory a read takes. Kept free of any
/// SQL dialect so every store does the same.
/// </summary>
public static class EventPayload
{
    private const string EmptyImages = "\"images\":[]";
    private const string ImagesName = "\"images\":";

    /// <summary>
    /// <paramref name="payload"/> with its first <c>"images":[]</c> replaced by <paramref name="imagesJson"/> (the
    /// task's images as <see cref="Model.TaskJson.SerializeImages"/> writes them). That literal can only be the
    /// field: inside a JSON string a quote is escaped. Payloads logged before images were kept apart carry their
    /// images already and are returned unchanged, as are payloads of tasks without images.
    /// </summary>
    public static string WithImages(string payload, string imagesJson)
    {
        ArgumentNullException.ThrowIfNull(payload);
        ArgumentNullException.ThrowIfNull(imagesJson);
        if (imagesJson == "[]")
        {
            return payload;
        }

        var at = payload.IndexOf(EmptyImages, StringComparison.Ordinal);
        return at < 0
            ? payload
            : string.Concat(payload.AsSpan(0, at + ImagesName.Length), imagesJson, payload.AsSpan(at + EmptyImages.Length));
    }
}
