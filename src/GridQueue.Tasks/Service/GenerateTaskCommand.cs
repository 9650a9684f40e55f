namespace GridQueue.Tasks.Service;

/// <summary>A generate request after JSON parsing (types checked), before the field rules.</summary>
public sealed record GenerateTaskCommand
{
    public string? Provider { get; init; }
    public string? Prompt { get; init; }
    public string? Model { get; init; }
    public string? AspectRatio { get; init; }
    public bool? Hd { get; init; }
    public int? Duration { get; init; }
    public IReadOnlyList<string>? Images { get; init; }
    public string? CallbackUrl { get; init; }
}
