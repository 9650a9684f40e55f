using System.Text.Json;
using System.Text.Json.Serialization;

namespace GridQueue.Client.Json;

/// <summary>
/// Source-generated (reflection-free, trimming-safe) JSON for every type the client sends or reads: snake_case
/// names, nulls left out of request bodies so the server's defaults apply, and strict reading (a missing required
/// field or a null where the contract has none is an error, reported as INVALID_RESPONSE).
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    RespectNullableAnnotations = true,
    RespectRequiredConstructorParameters = true)]
[JsonSerializable(typeof(GenerateRequest))]
[JsonSerializable(typeof(DevTokenRequest))]
[JsonSerializable(typeof(VideoTask))]
[JsonSerializable(typeof(Envelope<VideoTask>))]
[JsonSerializable(typeof(Envelope<TaskPage>))]
[JsonSerializable(typeof(Envelope<ServerInfo>))]
[JsonSerializable(typeof(Envelope<DevTokenData>))]
[JsonSerializable(typeof(Envelope<JsonElement>))]
internal sealed partial class GridQueueJsonContext : JsonSerializerContext;
