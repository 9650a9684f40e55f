using System.Diagnostics;
using GridQueue.Engine.Execution;
using Microsoft.Extensions.Logging;

namespace GridQueue.Tasks.Telemetry;

/// <summary>
/// Runs a task job handler inside a span of the "GridQueue.Tasks" activity source (named after the job kind,
/// tagged with the task and the job) and a logging scope carrying <c>task_id</c> and <c>job_id</c>, so every line
/// logged during the run, by the handler, its provider or the HTTP client, carries them. With no listener on the
/// source no span is made; the scope costs one small object.
/// </summary>
public static class TaskTracing
{
    public const string SourceName = "GridQueue.Tasks";

    private static readonly ActivitySource Source = new(SourceName, typeof(TaskTracing).Assembly.GetName().Version?.ToString());

    public static async Task<JobOutcome> RunAsync(ILogger logger, JobContext context, string taskId, Func<Task<JobOutcome>> handler)
    {
        ArgumentNullException.ThrowIfNull(logger);
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(handler);
        using var scope = logger.BeginScope(new TaskLogScope(taskId, context.Job.Id));
        using var activity = Source.StartActivity(context.Job.Kind, ActivityKind.Internal);
        activity?.SetTag("gridqueue.task.id", taskId);
        activity?.SetTag("gridqueue.job.id", context.Job.Id);
        activity?.SetTag("gridqueue.job.attempt", context.Job.Attempt);
        try
        {
            var outcome = await handler().ConfigureAwait(false);
            activity?.SetTag("gridqueue.outcome", outcome.Kind.ToString().ToLowerInvariant());
            if (outcome.Kind is JobOutcomeKind.Failed or JobOutcomeKind.Discarded)
            {
                activity?.SetStatus(ActivityStatusCode.Error, outcome.Message);
            }

            return outcome;
        }
        catch (Exception e)
        {
            activity?.AddException(e);
            activity?.SetStatus(ActivityStatusCode.Error, e.Message);
            throw;
        }
    }
}
