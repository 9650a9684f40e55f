using System.Globalization;
using System.Text.Json;

namespace GridQueue.Simulator;

/// <summary>The unified-format video API (<c>/v2/videos/generations</c>) and the placeholder video files.</summary>
internal static class VideoEndpoints
{
    public const string Platform = "simulator";
    public const string Action = "simulator-videos";

    // The smallest valid MP4 start (an ftyp box), so a downloader that sniffs the file sees a video.
    private static readonly byte[] PlaceholderVideo =
    [
        0x00, 0x00, 0x00, 0x18, (byte)'f', (byte)'t', (byte)'y', (byte)'p',
        (byte)'i', (byte)'s', (byte)'o', (byte)'m', 0x00, 0x00, 0x02, 0x00,
        (byte)'i', (byte)'s', (byte)'o', (byte)'m', (byte)'m', (byte)'p', (byte)'4', (byte)'2',
    ];

    public static IEndpointRouteBuilder MapVideoEndpoints(this IEndpointRouteBuilder app)
    {
        // Faults first, then the key: an outage or an overloaded front end answers before any key is looked at.
        var api = app.MapGroup("/v2/videos/generations");
        api.AddEndpointFilter(async (invocation, next) =>
        {
            var injector = invocation.HttpContext.RequestServices.GetRequiredService<FaultInjector>();
            return await injector.InterceptAsync(invocation.HttpContext) ?? await next(invocation);
        });
        api.AddEndpointFilter(async (invocation, next) =>
        {
            var check = invocation.HttpContext.RequestServices.GetRequiredService<ApiKeyCheck>();
            if (check.Reject(invocation.HttpContext.Request) is { } message)
            {
                invocation.HttpContext.Response.Headers.WWWAuthenticate = "Bearer";
                return ApiErrors.Unauthorized(message);
            }

            return await next(invocation);
        });

        api.MapPost("", SubmitAsync);
        api.MapGet("{taskId}", GetStatus);
        app.MapGet("/videos/{taskId}.mp4", GetVideo);
        return app;
    }

    private static async Task<IResult> SubmitAsync(
        HttpContext context,
        SimulatorState state,
        SimulatorOptions options,
        FaultInjector faults,
        SimulatorRandom random,
        CallbackSender callbacks,
        TimeProvider time)
    {
        SubmitRequest? body;
        try
        {
            body = await JsonSerializer.DeserializeAsync<SubmitRequest>(context.Request.Body, SimulatorJson.Options, context.RequestAborted);
        }
        catch (JsonException exception)
        {
            return ApiErrors.InvalidRequest($"the body is not valid JSON: {exception.Message}");
        }

        if (body is null)
        {
            return ApiErrors.InvalidRequest("the body must be a JSON object");
        }

        if (string.IsNullOrWhiteSpace(body.Prompt))
        {
            return ApiErrors.InvalidRequest("prompt is required");
        }

        if (string.IsNullOrWhiteSpace(body.Model))
        {
            return ApiErrors.InvalidRequest("model is required");
        }

        if (body.Duration is not null
            && (!int.TryParse(body.Duration, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) || seconds <= 0))
        {
            return ApiErrors.InvalidRequest("duration must be a whole number of seconds, such as \"10\"");
        }

        var now = time.GetUtcNow();
        var task = new SimulatedTask
        {
            Id = "sim-" + Guid.CreateVersion7(now).ToString("N"),
            Prompt = body.Prompt,
            Model = body.Model,
            ImageCount = body.Images?.Count ?? 0,
            AspectRatio = body.AspectRatio,
            Hd = body.Hd ?? false,
            ClipDuration = body.Duration,
            NotifyHook = body.NotifyHook,
            SubmittedAt = now,
            RunTime = options.Duration,

            // The fate is fixed now, so every later poll tells the same story.
            FailAtProgress = random.Chance(options.FailureRate) ? random.Next(90, 100) : null,
        };
        state.Add(task);
        callbacks.Schedule(task, BaseOf(context.Request));

        if (!await faults.WaitIfSlowAsync(context))
        {
            // A slow submit that created first, abandoned by its caller: the task exists, nobody is left to answer.
            return Results.Empty;
        }

        if (faults.ShouldDropSubmitResponse())
        {
            // The task exists and counts, but the caller never learns its id: the lost-response case.
            state.CountDroppedResponse();
            context.Abort();
            return Results.Empty;
        }

        if (faults.AcceptThenErrorStatus() is { } status)
        {
            // The task exists and progresses, but the caller is told the submit failed: the relay-error case.
            state.CountAcceptedThenFailed();
            return ApiErrors.ServerError(status);
        }

        return Results.Json(new SubmitResponse(task.Id), SimulatorJson.Options);
    }

    private static IResult GetStatus(string taskId, HttpContext context, SimulatorState state, TimeProvider time)
    {
        if (!state.TryGetTask(taskId, out var task))
        {
            return ApiErrors.NotFound($"task {taskId} not found");
        }

        task.CountStatusQuery();
        state.CountStatusQuery();
        return Results.Json(StatusDocument(task, task.ViewAt(time.GetUtcNow()), BaseOf(context.Request)), SimulatorJson.Options);
    }

    /// <summary>The status document of <paramref name="task"/> as <paramref name="view"/> shows it; videos are served under <paramref name="videoBase"/>.</summary>
    internal static TaskStatusResponse StatusDocument(SimulatedTask task, SimulatedTaskView view, string videoBase) =>
        new(
            task.Id,
            Platform,
            Action,
            view.Status,
            view.FailReason,
            task.SubmittedAt.ToUnixTimeSeconds(),
            view.StartedAt?.ToUnixTimeSeconds() ?? 0,
            view.FinishedAt?.ToUnixTimeSeconds() ?? 0,
            string.Create(CultureInfo.InvariantCulture, $"{view.Progress}%"),
            view.Status == SimulatedTaskStatus.Success ? new TaskOutput($"{videoBase}/videos/{Uri.EscapeDataString(task.Id)}.mp4") : null);

    private static IResult GetVideo(string taskId, SimulatorState state, TimeProvider time)
    {
        if (!state.TryGetTask(taskId, out var task) || task.ViewAt(time.GetUtcNow()).Status != SimulatedTaskStatus.Success)
        {
            return ApiErrors.NotFound($"no video for task {taskId}");
        }

        return Results.Bytes(PlaceholderVideo, "video/mp4");
    }

    // Built from the request, so the video link names the address and port the caller actually reached.
    private static string BaseOf(HttpRequest request) => $"{request.Scheme}://{request.Host}{request.PathBase}";
}
