using System.Text.Json.Serialization;

namespace GridQueue.Simulator;

/// <summary>The body of <c>POST /v2/videos/generations</c>; unknown fields are ignored like a lenient upstream would.</summary>
internal sealed class SubmitRequest
{
    public string? Prompt { get; set; }

    public string? Model { get; set; }

    public IReadOnlyList<string>? Images { get; set; }

    public string? AspectRatio { get; set; }

    public bool? Hd { get; set; }

    [JsonConverter(typeof(StringOrNumberJsonConverter))]
    public string? Duration { get; set; }

    public string? NotifyHook { get; set; }
}

internal sealed record SubmitResponse(string TaskId);

/// <summary>The status document, field for field as the unified format sends it; <c>data</c> is null unless SUCCESS.</summary>
internal sealed record TaskStatusResponse(
    string TaskId,
    string Platform,
    string Action,
    string Status,
    string FailReason,
    long SubmitTime,
    long StartTime,
    long FinishTime,
    string Progress,
    TaskOutput? Data);

internal sealed record TaskOutput(string Output);

internal sealed record ErrorResponse(ErrorDetail Error);

internal sealed record ErrorDetail(string Message, string Type);
