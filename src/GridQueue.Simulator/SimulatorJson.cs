using System.Text.Json;

namespace GridQueue.Simulator;

/// <summary>The JSON settings of every body the simulator reads or writes: snake_case like the unified format.</summary>
internal static class SimulatorJson
{
    public static JsonSerializerOptions Options { get; } = Create();

    private static JsonSerializerOptions Create()
    {
        // Dictionary keys keep their spelling: the keys of by_prompt are prompts, not property names.
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web)
        {
            PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        };
        options.Converters.Add(new TimeSpanJsonConverter());
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }
}
