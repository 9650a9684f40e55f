using System.Globalization;

namespace GridQueue.Simulator;

/// <summary>
/// Decides, per <c>/v2</c> request, whether the simulated upstream misbehaves, and how. Checks run in the order a real
/// front end would meet them: an outage or a rate limit answers at once, a slow request then waits, and a server
/// error still comes after the wait. None of these creates a task. The faults that do (a slow submit that creates
/// first, a dropped response, an error after acceptance) are asked for by the submit itself, after it created its
/// task.
/// </summary>
internal sealed class FaultInjector
{
    private static readonly int[] ServerErrorCodes =
        [StatusCodes.Status500InternalServerError, StatusCodes.Status502BadGateway, StatusCodes.Status503ServiceUnavailable];

    // Where a slow submit that creates first finds the wait it still owes, between the filter and the endpoint.
    private static readonly object DeferredDelayKey = new();

    private readonly TimeProvider time;
    private readonly SimulatorRandom random;
    private readonly DateTimeOffset startedAt;
    private SimulatorFaults faults;
    private long outageEndsAtTicks;

    public FaultInjector(SimulatorFaults faults, TimeProvider time, SimulatorRandom random)
    {
        this.faults = faults;
        this.time = time;
        this.random = random;
        startedAt = time.GetUtcNow();
    }

    /// <summary>The active faults; a set replaces all of them at once.</summary>
    public SimulatorFaults Faults
    {
        get => Volatile.Read(ref faults);
        set
        {
            ArgumentNullException.ThrowIfNull(value);
            var problems = value.Validate();
            if (problems.Count > 0)
            {
                throw new ArgumentException(string.Join(" ", problems), nameof(value));
            }

            Volatile.Write(ref faults, value);
        }
    }

    /// <summary>Starts an outage now, replacing any earlier one started this way.</summary>
    /// <returns>When the outage ends.</returns>
    public DateTimeOffset StartOutage(TimeSpan duration)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(duration, TimeSpan.Zero);
        var endsAt = time.GetUtcNow() + duration;
        Interlocked.Exchange(ref outageEndsAtTicks, endsAt.UtcTicks);
        return endsAt;
    }

    /// <summary>The fault answer for this request, or null to let it through.</summary>
    public async ValueTask<IResult?> InterceptAsync(HttpContext context)
    {
        var current = Faults;
        var now = time.GetUtcNow();
        if (InOutage(current, now))
        {
            return ApiErrors.Unavailable("the simulated upstream is in an outage; try again later");
        }

        if (InRateLimitBurst(current, now))
        {
            context.Response.Headers.RetryAfter = current.RateLimitRetryAfterHttpDate
                ?? current.RateLimitRetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
            return ApiErrors.RateLimited("too many requests: the simulated upstream is in a rate-limit burst");
        }

        var slow = current.SlowDelay > TimeSpan.Zero && random.Chance(current.SlowRate);
        var serverError = random.Chance(current.ServerErrorRate);
        if (slow && !serverError && current.SlowSubmitCreatesFirst && HttpMethods.IsPost(context.Request.Method))
        {
            // The submit creates its task first and then owes the wait (see WaitIfSlowAsync).
            context.Items[DeferredDelayKey] = current.SlowDelay;
            return null;
        }

        if (slow && !await WaitAsync(current.SlowDelay, context))
        {
            // The caller gave up (its time-out); nobody is left to answer.
            return Results.Empty;
        }

        if (serverError)
        {
            return ApiErrors.ServerError(ServerErrorCodes[random.Next(0, ServerErrorCodes.Length)]);
        }

        return null;
    }

    /// <summary>
    /// For a submit that has just created its task: waits the slow delay it still owes (if any).
    /// </summary>
    /// <returns>False when the caller gave up during the wait; its task exists all the same.</returns>
    public ValueTask<bool> WaitIfSlowAsync(HttpContext context) =>
        context.Items.TryGetValue(DeferredDelayKey, out var owed) && owed is TimeSpan delay
            ? WaitAsync(delay, context)
            : ValueTask.FromResult(true);

    /// <summary>Whether this accepted submit loses its response.</summary>
    public bool ShouldDropSubmitResponse() => random.Chance(Faults.DropSubmitRate);

    /// <summary>The error status this accepted submit answers instead of its id, or null to answer normally.</summary>
    public int? AcceptThenErrorStatus()
    {
        var current = Faults;
        if (!random.Chance(current.AcceptThenErrorRate))
        {
            return null;
        }

        var statuses = current.AcceptThenErrorStatuses;
        return statuses[random.Next(0, statuses.Count)];
    }

    private async ValueTask<bool> WaitAsync(TimeSpan delay, HttpContext context)
    {
        try
        {
            await Task.Delay(delay, time, context.RequestAborted);
            return true;
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            return false;
        }
    }

    private bool InOutage(SimulatorFaults current, DateTimeOffset now)
    {
        if (now.UtcTicks < Interlocked.Read(ref outageEndsAtTicks))
        {
            return true;
        }

        if (current.OutageStart is not { } start || current.OutageDuration <= TimeSpan.Zero)
        {
            return false;
        }

        var sinceStart = now - startedAt;
        return sinceStart >= start && sinceStart < start + current.OutageDuration;
    }

    private bool InRateLimitBurst(SimulatorFaults current, DateTimeOffset now)
    {
        if (current.RateLimitBurstEvery <= TimeSpan.Zero || current.RateLimitBurstLength <= TimeSpan.Zero)
        {
            return false;
        }

        var intoPeriod = (now - startedAt).Ticks % current.RateLimitBurstEvery.Ticks;
        return intoPeriod >= 0 && intoPeriod < current.RateLimitBurstLength.Ticks;
    }
}
