namespace GridQueue.Tasks.Service;

/// <summary>The contract's field limits for a generate request.</summary>
public static class TaskLimits
{
    public const int PromptMaxLength = 4000;
    public const int ModelMaxLength = 100;
    public const int DurationMin = 1;
    public const int DurationMax = 60;
    public const int DefaultDuration = 10;
    public const int MaxImages = 4;

    /// <summary>
    /// Characters of one image reference: a <c>data:</c> URI's whole length. Images are kept once per task and
    /// sent with every client read of the task, so their size, not their count, is what a user could fill memory and disk
    /// with; 4 MiB holds a 3 MiB picture in base64.
    /// </summary>
    public const int MaxImageChars = 4 * 1024 * 1024;

    /// <summary>Characters of one http(s) image URL: far above any real address, far below an image's bytes.</summary>
    public const int MaxImageUrlLength = 2048;

    /// <summary>
    /// Characters of all images of one request together: two images at the per-image cap, half the default body
    /// limit, so a task's images stay well below what one request may carry.
    /// </summary>
    public const int MaxImagesTotalChars = 8 * 1024 * 1024;
    public const int IdempotencyKeyMaxLength = 255;
    public const int ApiKeyMaxLength = 1024;
    public const string DefaultAspectRatio = "16:9";
    public static readonly IReadOnlyList<string> AspectRatios = ["16:9", "9:16", "1:1"];
}
