using System.ComponentModel.DataAnnotations;

namespace Loyalty.Email;

/// <summary>Loyalty.Email's settings. Bound from <c>Loyalty:Email</c>; validated at start-up.</summary>
public sealed class EmailOptions
{
    /// <summary>The From address of every message (<c>"Shop Care &lt;care@shop.example&gt;"</c> or a bare address).</summary>
    [Required(AllowEmptyStrings = false)]
    public string From { get; set; } = "Loyalty <loyalty@localhost.localdomain>";

    /// <summary>A Reply-To for every message, unless a flow sets its own.</summary>
    public string? ReplyTo { get; set; }

    /// <summary>The domain of generated Message-IDs; defaults to the From address's domain.</summary>
    public string? MessageIdDomain { get; set; }

    /// <summary>Folder of the integrators' templates (overrides the shipped defaults by name).</summary>
    public string? TemplatesPath { get; set; }

    /// <summary>Due steps claimed per batch. Default 100.</summary>
    [Range(1, 10_000)]
    public int BatchSize { get; set; } = 100;

    /// <summary>
    /// Steps a dispatcher works on at once. Default 16, twice the default <c>Smtp:PoolSize</c> of 8: the steps beyond the
    /// pool render their message and wait for a connection, so no connection stands idle while a step's result is
    /// written and its next message rendered (measured in docs/performance.md: 21% more sends per second than with
    /// as many steps as connections). Up to this many delivered messages per dispatcher can be unrecorded when its
    /// process dies (docs/operations.md).
    /// </summary>
    [Range(1, 256)]
    public int Concurrency { get; set; } = 16;

    /// <summary>How long a claimed batch is held before another worker may take it over. Default 5 minutes.</summary>
    [Range(typeof(TimeSpan), "00:00:05", "1.00:00:00")]
    public TimeSpan Lease { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Hangfire cron of the sweep that claims due steps. Default every minute.</summary>
    [Required]
    public string SweepCron { get; set; } = "* * * * *";

    /// <summary>Transient failures are retried with growing waits until this long after the due time (RFC 5321 spirit: days). Default 3 days.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "30.00:00:00")]
    public TimeSpan GiveUpAfter { get; set; } = TimeSpan.FromDays(3);

    /// <summary>The first retry wait; doubled each attempt up to <see cref="MaxRetryDelay"/>. Default 1 minute.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "1.00:00:00")]
    public TimeSpan FirstRetryDelay { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>The longest retry wait. Default 2 hours.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "7.00:00:00")]
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromHours(2);

    /// <summary>
    /// The most events one <see cref="Publishing.ILoyaltyPublisher.PublishManyAsync"/> call takes (one transaction);
    /// a larger batch is refused with an <see cref="ArgumentException"/>. Default 1,000.
    /// </summary>
    [Range(1, 100_000)]
    public int MaxPublishBatchSize { get; set; } = 1_000;

    /// <summary>Marketing frequency cap across flows.</summary>
    public FrequencyCapOptions FrequencyCap { get; set; } = new();

    /// <summary>Quiet hours in the customer's zone, when marketing is held.</summary>
    public QuietHoursOptions QuietHours { get; set; } = new();

    /// <summary>Path (under the shop's base URL) of the one-click unsubscribe endpoint. Default <c>loyalty/unsubscribe</c>.</summary>
    [Required]
    public string UnsubscribePath { get; set; } = "loyalty/unsubscribe";

    /// <summary>Path of the preferences page. Default <c>loyalty/preferences</c>.</summary>
    [Required]
    public string PreferencesPath { get; set; } = "loyalty/preferences";

    /// <summary>How long a service issue pauses marketing and review prompts for the customer. Default 14 days.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "365.00:00:00")]
    public TimeSpan ServiceIssuePause { get; set; } = TimeSpan.FromDays(14);

    /// <summary>Limits of proactive service recovery (apologies and credits per customer).</summary>
    public ServiceRecoveryOptions ServiceRecovery { get; set; } = new();
}

/// <summary>
/// At most <see cref="MaxPerCustomer"/> service issues per customer per <see cref="Period"/> get the apology and the
/// credit; the steps of further issues are Skipped with the reason <c>service-recovery-cap</c>. Bound from
/// <c>Loyalty:Email:ServiceRecovery</c>.
/// </summary>
public sealed class ServiceRecoveryOptions
{
    /// <summary>The reason recorded on the steps of an issue beyond the cap.</summary>
    public const string CapReason = "service-recovery-cap";

    /// <summary>Issues per customer per period that get an apology and a credit. Default 2.</summary>
    [Range(1, 1000)]
    public int MaxPerCustomer { get; set; } = 2;

    /// <summary>The window the cap counts in, by the issues' times. Default 30 days.</summary>
    [Range(typeof(TimeSpan), "00:01:00", "3650.00:00:00")]
    public TimeSpan Period { get; set; } = TimeSpan.FromDays(30);
}

/// <summary>At most <see cref="MaxSends"/> marketing messages per <see cref="Period"/> per customer, across flows.</summary>
public sealed class FrequencyCapOptions
{
    /// <summary>On by default.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Default 3.</summary>
    [Range(1, 1000)]
    public int MaxSends { get; set; } = 3;

    /// <summary>Default 7 days.</summary>
    [Range(typeof(TimeSpan), "00:01:00", "365.00:00:00")]
    public TimeSpan Period { get; set; } = TimeSpan.FromDays(7);
}

/// <summary>Local hours in which marketing is held until the quiet period ends.</summary>
public sealed class QuietHoursOptions
{
    /// <summary>On by default.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Start, local time. Default 21:00.</summary>
    public TimeOnly Start { get; set; } = new(21, 0);

    /// <summary>End, local time. Default 08:00.</summary>
    public TimeOnly End { get; set; } = new(8, 0);
}
