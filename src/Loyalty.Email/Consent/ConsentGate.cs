using Loyalty.Email.Flows;
using Loyalty.Email.Scheduling;
using Loyalty.Stores;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Loyalty.Email.Consent;

/// <summary>What the consent gate decided for one send.</summary>
/// <param name="Skip">A reason to skip for good (unsubscribed, suppressed, no consent), or null.</param>
/// <param name="HoldUntil">When to try again (cap, quiet hours), or null.</param>
/// <param name="HoldReason">Why it is held.</param>
public readonly record struct ConsentDecision(string? Skip, DateTimeOffset? HoldUntil, string? HoldReason)
{
    /// <summary>Go ahead.</summary>
    public static ConsentDecision Allow { get; } = default;
}

/// <summary>
/// Consent, suppression and pacing, checked when a send is due (not when it is scheduled), so an unsubscribe
/// or a hard bounce takes effect for everything already scheduled.
/// </summary>
public sealed class ConsentGate
{
    /// <summary>The suppression category that stops everything (hard bounce, unsubscribe from all).</summary>
    public const string All = "*";

    /// <summary>The hold reason of marketing paused by a recent service issue.</summary>
    public const string ServiceIssuePauseReason = "service-issue-pause";

    private readonly EmailOptions _options;
    private readonly FlowRegistry? _flows;

    /// <summary>Created by DI.</summary>
    /// <param name="options">Caps, quiet hours and the service-issue pause.</param>
    /// <param name="flows">The flows, to find the customer's service issues (no pause without it).</param>
    public ConsentGate(IOptions<EmailOptions> options, FlowRegistry? flows = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Value;
        _flows = flows;
    }

    /// <summary>Checks one due send of <paramref name="step"/> to <paramref name="customer"/>, reading the address's suppressions now.</summary>
    public async Task<ConsentDecision> CheckAsync(ScheduledStep step, LoyaltyCustomer customer, DateTimeOffset now, IServiceProvider services, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(step);
        ArgumentNullException.ThrowIfNull(customer);
        ArgumentNullException.ThrowIfNull(services);
        var suppressions = await services.GetRequiredService<ISuppressionStore>().GetAsync(customer.NormalizedEmail, cancellationToken).ConfigureAwait(false);
        return await CheckAsync(step, customer, suppressions, now, services, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Checks one due send of <paramref name="step"/> to <paramref name="customer"/> against suppressions of the
    /// customer's address read before: the dispatch reads those of a whole claimed batch in one statement, so an
    /// unsubscribe is honoured as of that read (the dispatch re-reads for a step that starts long after it). The
    /// frequency cap and the service-issue pause are still read here, per send.
    /// </summary>
    /// <param name="step">The step about to send.</param>
    /// <param name="customer">Its customer, as read.</param>
    /// <param name="suppressions">The suppressions of <paramref name="customer"/>'s address.</param>
    /// <param name="now">The time of the check.</param>
    /// <param name="services">The step's scope, for the step store of the frequency cap and the service-issue pause.</param>
    /// <param name="cancellationToken">Cancels the reads.</param>
    public async Task<ConsentDecision> CheckAsync(ScheduledStep step, LoyaltyCustomer customer, IReadOnlyList<Suppression> suppressions, DateTimeOffset now, IServiceProvider services, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(step);
        ArgumentNullException.ThrowIfNull(customer);
        ArgumentNullException.ThrowIfNull(suppressions);
        ArgumentNullException.ThrowIfNull(services);
        var marketing = EmailCategories.IsMarketing(step.Category);
        foreach (var suppression in suppressions)
        {
            if (Covers(suppression.Category, step.Category))
            {
                return new ConsentDecision($"suppressed: {suppression.Reason}", null, null);
            }
        }

        if (!marketing)
        {
            return ConsentDecision.Allow;
        }

        if (customer.MarketingConsent != true)
        {
            return new ConsentDecision("no-marketing-consent", null, null);
        }

        // A customer who just had a bad experience hears no marketing until the pause ends: held, not dropped.
        if (_options.ServiceIssuePause > TimeSpan.Zero && _flows is not null && ServiceIssueHistory.Applies(_flows))
        {
            var issues = await ServiceIssueHistory.ReadAsync(services.GetRequiredService<IScheduledStepStore>(), _flows, customer.CustomerId, null, cancellationToken).ConfigureAwait(false);
            var open = ServiceIssueHistory.Open(issues, now, _options.ServiceIssuePause);
            if (open.Count > 0)
            {
                return new ConsentDecision(null, open.Max(i => i.OccurredAt) + _options.ServiceIssuePause, ServiceIssuePauseReason);
            }
        }

        if (_options.QuietHours.Enabled && QuietUntil(now, customer.TimeZone) is { } quietEnd)
        {
            return new ConsentDecision(null, quietEnd, "quiet-hours");
        }

        if (_options.FrequencyCap.Enabled)
        {
            var since = now - _options.FrequencyCap.Period;
            var sent = await services.GetRequiredService<IScheduledStepStore>().QueryAsync(
                new StepQuery { CustomerId = customer.CustomerId, State = StepState.Sent, CompletedSince = since, Take = 1000 }, cancellationToken).ConfigureAwait(false);
            // A send leaves the window when a full period has passed (strictly after `since` counts), which is the
            // instant the hold below names: a held send is free to go when it is due again.
            var marketingSent = sent.Where(s => EmailCategories.IsMarketing(s.Category) && s.CompletedAt > since && s.Id != step.Id)
                .OrderBy(s => s.CompletedAt).ToList();
            if (marketingSent.Count >= _options.FrequencyCap.MaxSends)
            {
                var frees = marketingSent[marketingSent.Count - _options.FrequencyCap.MaxSends].CompletedAt!.Value + _options.FrequencyCap.Period;
                return new ConsentDecision(null, frees > now ? frees : now + TimeSpan.FromMinutes(1), "frequency-cap");
            }
        }

        return ConsentDecision.Allow;
    }

    /// <summary>True when a suppression of <paramref name="suppressed"/> covers mail of <paramref name="category"/>.</summary>
    public static bool Covers(string suppressed, string category)
    {
        ArgumentNullException.ThrowIfNull(suppressed);
        ArgumentNullException.ThrowIfNull(category);
        return suppressed == All
            || suppressed == category
            || (suppressed == EmailCategories.Marketing && EmailCategories.IsMarketing(category));
    }

    /// <summary>When quiet hours hold at <paramref name="now"/> in the zone, the instant they end; otherwise null.</summary>
    public DateTimeOffset? QuietUntil(DateTimeOffset now, string? timeZone)
    {
        var zone = StepDueTimeCalculator.FindZone(timeZone);
        var local = TimeOnly.FromDateTime(TimeZoneInfo.ConvertTime(now, zone).DateTime);
        var (start, end) = (_options.QuietHours.Start, _options.QuietHours.End);
        var quiet = start <= end ? local >= start && local < end : local >= start || local < end;
        return quiet ? StepDueTimeCalculator.NextLocalTime(now, end, zone) : null;
    }
}
