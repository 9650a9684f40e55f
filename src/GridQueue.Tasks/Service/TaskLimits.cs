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
    public const int IdempotencyKeyMaxLength = 255;
    public const int ApiKeyMaxLength = 1024;
    public const string DefaultAspectRatio = "16:9";
    public static readonly IReadOnlyList<string> AspectRatios = ["16:9", "9:16", "1:1"];
}
