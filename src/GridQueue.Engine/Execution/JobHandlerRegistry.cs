using Microsoft.Extensions.DependencyInjection;

namespace GridQueue.Engine.Execution;

/// <summary>Maps job kinds to handlers. Filled at start-up, read-only once the engine runs.</summary>
public sealed class JobHandlerRegistry
{
    private readonly Dictionary<string, Func<IServiceProvider, IJobHandler>> _factories = new(StringComparer.Ordinal);

    /// <summary>The kinds with a handler.</summary>
    public IReadOnlyCollection<string> Kinds => _factories.Keys;

    /// <summary>Registers a handler instance shared by every run of <paramref name="kind"/>.</summary>
    public JobHandlerRegistry Add(string kind, IJobHandler handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        return Add(kind, _ => handler);
    }

    /// <summary>Registers a delegate as the handler of <paramref name="kind"/>.</summary>
    public JobHandlerRegistry Add(string kind, Func<JobContext, CancellationToken, Task<JobOutcome>> handle)
    {
        ArgumentNullException.ThrowIfNull(handle);
        return Add(kind, new DelegateJobHandler(handle));
    }

    /// <summary>Registers a handler type, created from each run's service scope.</summary>
    public JobHandlerRegistry Add<THandler>(string kind)
        where THandler : class, IJobHandler =>
        Add(kind, sp => ActivatorUtilities.GetServiceOrCreateInstance<THandler>(sp));

    private JobHandlerRegistry Add(string kind, Func<IServiceProvider, IJobHandler> factory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(kind);
        if (!_factories.TryAdd(kind, factory))
        {
            throw new InvalidOperationException($"A handler for job kind '{kind}' is already registered.");
        }

        return this;
    }

    internal bool TryCreate(string kind, IServiceProvider services, out IJobHandler? handler)
    {
        if (_factories.TryGetValue(kind, out var factory))
        {
            handler = factory(services);
            return true;
        }

        handler = null;
        return false;
    }

    private sealed class DelegateJobHandler(Func<JobContext, CancellationToken, Task<JobOutcome>> handle) : IJobHandler
    {
        public Task<JobOutcome> HandleAsync(JobContext context, CancellationToken cancellationToken) =>
            handle(context, cancellationToken);
    }
}
