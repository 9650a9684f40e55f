using System.Globalization;

namespace GridQueue.Simulator;

/// <summary>
/// Decides, per <c>/v2</c> request, whether the simulated upstream misbehaves, and how. Checks run in the order a real
/// front end would meet them: an outage or a rate limit answers at once, a slow request then waits, and a server
/// error still comes after the wait. None of these creates a task.
/// </summary>
internal sealed class FaultInjector
{
    private static readonly int[] ServerErrorCodes =
        [StatusCodes.Status500InternalServerError, StatusCodes.Status502BadGateway, StatusCodes.Status503ServiceUnavailable];

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
            context.Response.Headers.RetryAfter = current.RateLimitRetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
            return ApiErrors.RateLimited("too many requests: the simulated upstream is in a rate-limit burst");
        }

        if (current.SlowDelay > TimeSpan.Zero && random.Chance(current.SlowRate))
        {
            try
            {
                await Task.Delay(current.SlowDelay, time, context.RequestAborted);
            }
            catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
            {
                // The caller gave up (its time-out); nobody is left to answer.
                return Results.Empty;
            }
        }

        if (random.Chance(current.ServerErrorRate))
        {
            return ApiErrors.ServerError(ServerErrorCodes[random.Next(0, ServerErrorCodes.Length)]);
        }

        return null;
    }

    /// <summary>Whether this accepted submit loses its response.</summary>
    public bool ShouldDropSubmitResponse() => random.Chance(Faults.DropSubmitRate);

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
