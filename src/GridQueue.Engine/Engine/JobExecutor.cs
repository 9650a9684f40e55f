using GridQueue.Engine.Execution;
using GridQueue.Engine.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace GridQueue.Engine.Engine;

/// <summary>Runs one claimed job's handler and hands its outcome to the completer.</summary>
internal sealed class JobExecutor(
    EngineContext context,
    JobHandlerRegistry handlers,
    IServiceProvider services,
    OutcomeRecorder recorder,
    Completer completer)
{
    public async Task RunAsync(RunningJob run)
    {
        var started = context.Time.GetTimestamp();
        var outcome = await InvokeAsync(run).ConfigureAwait(false);
        if (outcome is null)
        {
            // Stopped for shutdown or a lost lease: the job is no longer ours to finish. It stays running in the
            // database until its lease expires and the rescuer runs it again.
            context.Forget(run);
            return;
        }

        (outcome, var finalization) = Record(run, outcome);
        if (finalization is null)
        {
            // Not even a failure could be recorded. Letting go of the lease is the one way left to have the run
            // finished: the lease keeper stops renewing it, and once it expires the rescuer runs the job again.
            context.Forget(run);
            return;
        }

        context.Metrics.Finished(run.Job, outcome.Kind, context.Time.GetElapsedTime(started));
        if (outcome.Kind is JobOutcomeKind.Failed)
        {
            Log.JobFailed(context.Logger, run.Job.Id, run.Job.Kind, run.Job.Attempt, outcome.Message ?? "");
        }

        if (!await completer.EnqueueAsync(run, finalization).ConfigureAwait(false))
        {
            // The handler returned after shutdown's grace period: the job stays running in the database and is
            // rescued once its lease expires.
            context.Forget(run);
            Log.OutcomeDroppedAtShutdown(context.Logger, run.Job.Id);
        }
    }

    /// <summary>
    /// The state change for <paramref name="outcome"/>. Building it runs outside the handler's try/catch, so if it
    /// throws (an outcome the recorder cannot store), the run is recorded as Failed with that error instead and is
    /// retried or discarded like any failure; otherwise nobody would finish the run and its lease would be renewed
    /// for ever. Null (logged) only if even that fails.
    /// </summary>
    private (JobOutcome Outcome, JobFinalization? Change) Record(RunningJob run, JobOutcome outcome)
    {
        var now = context.Time.GetUtcNow();
        try
        {
            return (outcome, recorder.ToFinalization(run.Job, context.Node, outcome, now));
        }
        catch (Exception ex)
        {
            Log.OutcomeNotRecordable(context.Logger, ex, run.Job.Id, run.Job.Kind, outcome.Kind);
            var failed = JobOutcome.Failed($"The handler's outcome ({outcome.Kind}) could not be recorded: {ex.GetType().Name}: {ex.Message}");
            try
            {
                return (failed, recorder.ToFinalization(run.Job, context.Node, failed, now));
            }
            catch (Exception again)
            {
                Log.FailureNotRecordable(context.Logger, again, run.Job.Id, run.Job.Kind);
                return (failed, null);
            }
        }
    }

    private async Task<JobOutcome?> InvokeAsync(RunningJob run)
    {
        var job = run.Job;
        try
        {
            var scopeFactory = services.GetService<IServiceScopeFactory>();
            var scope = scopeFactory?.CreateAsyncScope();
            try
            {
                var provider = scope?.ServiceProvider ?? services;
                if (!handlers.TryCreate(job.Kind, provider, out var handler) || handler is null)
                {
                    return JobOutcome.Failed($"No handler is registered for job kind '{job.Kind}' on node {context.Node}.");
                }

                return await handler.HandleAsync(new JobContext(job, context.Node, provider), run.Token).ConfigureAwait(false);
            }
            finally
            {
                if (scope is { } s)
                {
                    await s.DisposeAsync().ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException) when (run.Token.IsCancellationRequested)
        {
            return run.StopReason == StopReason.CancelRequested ? JobOutcome.Cancel("cancel requested while running") : null;
        }
        catch (Exception ex)
        {
            Log.HandlerThrew(context.Logger, ex, job.Id, job.Kind);
            return JobOutcome.Failed($"{ex.GetType().Name}: {ex.Message}");
        }
    }
}
