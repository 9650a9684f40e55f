using GridQueue.Tasks.Telemetry;
using Microsoft.Extensions.Options;

namespace GridQueue.Tasks.Providers;

/// <summary>The configured providers by name (a provider whose settings are missing is simply not registered).</summary>
public sealed class ProviderCatalog
{
    private readonly Dictionary<string, IVideoProvider> _providers;

    public ProviderCatalog(IEnumerable<IVideoProvider> providers, IOptions<ProvidersOptions> options, TaskMetrics metrics)
    {
        ArgumentNullException.ThrowIfNull(providers);
        ArgumentNullException.ThrowIfNull(options);
        _providers = providers.ToDictionary(p => p.Name, IVideoProvider (p) => new MeasuredProvider(p, metrics), StringComparer.Ordinal);
        DefaultName = options.Value.Default;
        if (!_providers.ContainsKey(DefaultName))
        {
            throw new OptionsValidationException(
                ProvidersOptions.SectionName,
                typeof(ProvidersOptions),
                [$"Providers__Default is '{DefaultName}', which is not a configured provider (configured: {string.Join(", ", Names)})."]);
        }
    }

    public string DefaultName { get; }

    public IEnumerable<string> Names => _providers.Keys.Order(StringComparer.Ordinal);

    public IVideoProvider? Find(string name) => _providers.GetValueOrDefault(name);

    /// <summary>The provider of a stored task; it was configured when the task was made.</summary>
    public IVideoProvider Get(string name) =>
        Find(name) ?? throw new InvalidOperationException(
            $"Provider '{name}' is not configured any more, but a task uses it. Configure it again to finish such tasks.");
}
