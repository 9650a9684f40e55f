namespace GridQueue.Tasks.Providers;

/// <summary>Provider selection (configuration section "Providers").</summary>
public sealed class ProvidersOptions
{
    public const string SectionName = "Providers";
    public const string DefaultProviderName = "simulator";

    /// <summary>The provider a request that names none uses.</summary>
    public string Default { get; set; } = DefaultProviderName;
}
