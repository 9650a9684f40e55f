using System.Text.Json.Serialization;

namespace GridQueue.Simulator;

/// <summary>
/// The misbehaviour the simulated upstream shows on its <c>/v2</c> API. Immutable, so a runtime change swaps the whole
/// set at once and a request never sees half of an old and half of a new setting. Zero everywhere means no faults.
/// </summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record SimulatorFaults
{
    public const int DefaultRateLimitRetryAfterSeconds = 1;

    // A list equal by content, so the record's own equality compares the statuses, not the list instances.
    private readonly StatusList? acceptThenErrorStatuses = StatusList.Default;

    /// <summary>
    /// The statuses an accepted-then-failed submit answers with by default: what relays in front of a slow origin
    /// typically send after they forwarded the job (internal error, bad gateway, gateway time-out).
    /// </summary>
    public static IReadOnlyList<int> DefaultAcceptThenErrorStatuses => StatusList.Default;

    /// <summary>No faults at all.</summary>
    public static SimulatorFaults None { get; } = new();

    /// <summary>Fraction (0..1) of requests answered 500, 502 or 503 without creating anything.</summary>
    public double ServerErrorRate { get; init; }

    /// <summary>Period of the rate-limit bursts; zero turns them off.</summary>
    public TimeSpan RateLimitBurstEvery { get; init; }

    /// <summary>How long each burst lasts, from the start of its period; every request in it gets 429.</summary>
    public TimeSpan RateLimitBurstLength { get; init; }

    /// <summary>The <c>Retry-After</c> value (whole seconds) sent with each 429.</summary>
    public int RateLimitRetryAfterSeconds { get; init; } = DefaultRateLimitRetryAfterSeconds;

    /// <summary>
    /// When set, sent verbatim as the <c>Retry-After</c> of each 429 instead of <see cref="RateLimitRetryAfterSeconds"/>,
    /// e.g. <c>Fri, 31 Dec 9999 23:59:59 GMT</c>: the HTTP-date form, including dates no caller should wait for.
    /// </summary>
    public string? RateLimitRetryAfterHttpDate { get; init; }

    /// <summary>Fraction (0..1) of requests that wait <see cref="SlowDelay"/> before they are handled.</summary>
    public double SlowRate { get; init; }

    /// <summary>The wait of a slow request.</summary>
    public TimeSpan SlowDelay { get; init; }

    /// <summary>
    /// When true, a submit chosen as slow creates its task before the wait, as a relay whose origin accepted the job
    /// and was slow to answer: a caller that gives up during the wait still leaves a created (billed) task. When false
    /// a slow submit waits first and creates nothing if its caller gives up.
    /// </summary>
    public bool SlowSubmitCreatesFirst { get; init; }

    /// <summary>When a planned outage starts, counted from the simulator's start; null plans none.</summary>
    public TimeSpan? OutageStart { get; init; }

    /// <summary>How long the planned outage lasts; every request in it gets 503.</summary>
    public TimeSpan OutageDuration { get; init; }

    /// <summary>
    /// Fraction (0..1) of submits that create their task and then lose the response (the connection is aborted), the
    /// case a caller cannot resolve by asking again because the format has no idempotency key.
    /// </summary>
    public double DropSubmitRate { get; init; }

    /// <summary>
    /// Fraction (0..1) of submits that create their task (it counts and progresses like any other) and then answer an
    /// error status from <see cref="AcceptThenErrorStatuses"/> instead of its id: a relay whose origin started the
    /// video before the relay failed. A caller that takes such an answer as "nothing was made" and submits again pays
    /// twice.
    /// </summary>
    public double AcceptThenErrorRate { get; init; }

    /// <summary>
    /// Fraction (0..1) of task-end callbacks (to a submit's <c>notify_hook</c>) that are never sent, as an upstream
    /// whose callbacks get lost: the caller must still find the end by polling.
    /// </summary>
    public double CallbackDropRate { get; init; }

    /// <summary>How long after a task ends its callback is sent (the callbacks not dropped).</summary>
    public TimeSpan CallbackDelay { get; init; }

    /// <summary>
    /// How long before a task ends its callback is sent, as an upstream that calls back while its status still says
    /// the task is running: a poll the callback prompts does not see the end. Taken when the task is submitted.
    /// </summary>
    public TimeSpan CallbackEarly { get; init; }

    /// <summary>
    /// The statuses (500..599) an accepted-then-failed submit answers with, one drawn at random per submit; by default
    /// <see cref="DefaultAcceptThenErrorStatuses"/>. Two fault sets with the same statuses are equal.
    /// </summary>
    public IReadOnlyList<int> AcceptThenErrorStatuses
    {
        // Null only when set so (JSON null); Validate reports it.
        get => acceptThenErrorStatuses!;

        // Copied, so a caller that keeps the list it passed in cannot change a fault set already in use.
        init => acceptThenErrorStatuses = value is null ? null : new StatusList([.. value]);
    }

    /// <summary>Every setting that is out of range, as readable sentences; empty when the faults are usable.</summary>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        CheckRate(problems, nameof(ServerErrorRate), ServerErrorRate);
        CheckRate(problems, nameof(SlowRate), SlowRate);
        CheckRate(problems, nameof(DropSubmitRate), DropSubmitRate);
        CheckRate(problems, nameof(AcceptThenErrorRate), AcceptThenErrorRate);
        CheckRate(problems, nameof(CallbackDropRate), CallbackDropRate);
        CheckNotNegative(problems, nameof(CallbackDelay), CallbackDelay);
        CheckNotNegative(problems, nameof(CallbackEarly), CallbackEarly);
        CheckNotNegative(problems, nameof(RateLimitBurstEvery), RateLimitBurstEvery);
        CheckNotNegative(problems, nameof(RateLimitBurstLength), RateLimitBurstLength);
        CheckNotNegative(problems, nameof(SlowDelay), SlowDelay);
        CheckNotNegative(problems, nameof(OutageDuration), OutageDuration);
        if (OutageStart is { } start)
        {
            CheckNotNegative(problems, nameof(OutageStart), start);
        }

        if (RateLimitRetryAfterSeconds < 0)
        {
            problems.Add($"{nameof(RateLimitRetryAfterSeconds)} must not be negative.");
        }

        // Verbatim means unchecked as a date, but it must still be a header value Kestrel will send.
        if (RateLimitRetryAfterHttpDate is { } date && (string.IsNullOrWhiteSpace(date) || date.Any(c => c is < ' ' or > '~')))
        {
            problems.Add($"{nameof(RateLimitRetryAfterHttpDate)} must be printable ASCII text when set, e.g. \"Fri, 31 Dec 9999 23:59:59 GMT\".");
        }

        CheckAcceptThenErrorStatuses(problems);
        return problems;
    }

    internal static bool IsRate(double value) => value is >= 0 and <= 1;

    private void CheckAcceptThenErrorStatuses(List<string> problems)
    {
        if (AcceptThenErrorStatuses is null)
        {
            problems.Add($"{nameof(AcceptThenErrorStatuses)} must not be null.");
            return;
        }

        if (AcceptThenErrorStatuses.Count == 0 && AcceptThenErrorRate > 0)
        {
            problems.Add($"{nameof(AcceptThenErrorStatuses)} must hold at least one status when {nameof(AcceptThenErrorRate)} is above 0.");
        }

        foreach (var status in AcceptThenErrorStatuses.Where(status => status is < 500 or > 599).Distinct())
        {
            problems.Add($"{nameof(AcceptThenErrorStatuses)} must hold server errors (500..599); {status} is not one.");
        }
    }

    private static void CheckRate(List<string> problems, string name, double value)
    {
        if (!IsRate(value))
        {
            problems.Add($"{name} must be between 0 and 1.");
        }
    }

    private static void CheckNotNegative(List<string> problems, string name, TimeSpan value)
    {
        if (value < TimeSpan.Zero)
        {
            problems.Add($"{name} must not be negative.");
        }
    }

    /// <summary>An immutable list of status codes, equal to another with the same codes in the same order.</summary>
    private sealed class StatusList(int[] codes) : IReadOnlyList<int>, IEquatable<StatusList>
    {
        private readonly int[] items = codes;

        public static StatusList Default { get; } = new([500, 502, 504]);

        public int Count => items.Length;

        public int this[int index] => items[index];

        public IEnumerator<int> GetEnumerator() => ((IEnumerable<int>)items).GetEnumerator();

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();

        public bool Equals(StatusList? other) => other is not null && items.AsSpan().SequenceEqual(other.items);

        public override bool Equals(object? obj) => Equals(obj as StatusList);

        public override int GetHashCode()
        {
            var hash = new HashCode();
            foreach (var item in items)
            {
                hash.Add(item);
            }

            return hash.ToHashCode();
        }

        public override string ToString() => "[" + string.Join(", ", items) + "]";
    }
}
