using System.ComponentModel.DataAnnotations;

namespace GridQueue.Tasks.Webhooks;

/// <summary>Completion webhooks (configuration section "Webhooks").</summary>
public sealed class WebhookOptions
{
    public const string SectionName = "Webhooks";
    public const int DefaultMaxAttempts = 8;
    public static readonly TimeSpan DefaultRetryBaseDelay = TimeSpan.FromSeconds(10);
    public static readonly TimeSpan DefaultRetryMaxDelay = TimeSpan.FromHours(1);
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(10);
    public const int DefaultMaxResponseBytes = 64 * 1024;

    /// <summary>
    /// The signing secret, <c>whsec_</c> followed by 24–64 random bytes in base64. Unset: webhooks are off, and a
    /// generate request with a <c>callback_url</c> is refused.
    /// </summary>
    public string? Secret { get; set; }

    /// <summary>Where a task without a callback_url of its own is delivered when it ends; unset: nowhere.</summary>
    public string? DefaultUrl { get; set; }

    /// <summary>
    /// Comma-separated host names, IP addresses and CIDR ranges that may be delivered to although they are (or
    /// resolve to) loopback, link-local or private addresses, and that may be plain http.
    /// </summary>
    public string? AllowedHosts { get; set; }

    /// <summary>Deliveries of one task end, the first included; then it is kept as a discarded (dead-letter) job.</summary>
    [Range(1, 50)]
    public int MaxAttempts { get; set; } = DefaultMaxAttempts;

    /// <summary>The wait after the first failed delivery; each later one doubles it (with ±10 % jitter).</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "1.00:00:00")]
    public TimeSpan RetryBaseDelay { get; set; } = DefaultRetryBaseDelay;

    /// <summary>The wait between deliveries never grows past this.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "7.00:00:00")]
    public TimeSpan RetryMaxDelay { get; set; } = DefaultRetryMaxDelay;

    /// <summary>One delivery's whole time: connect, send, and read the answer.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:05:00")]
    public TimeSpan Timeout { get; set; } = DefaultTimeout;

    /// <summary>At most this much of a receiver's answer is read (and kept, shortened, in a failure's message); the rest is ignored.</summary>
    [Range(0, 16 * 1024 * 1024)]
    public int MaxResponseBytes { get; set; } = DefaultMaxResponseBytes;
}
