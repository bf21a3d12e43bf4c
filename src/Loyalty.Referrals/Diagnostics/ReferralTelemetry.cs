using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Loyalty.Referrals.Diagnostics;

/// <summary>The <c>Loyalty.Referrals</c> Meter (from <see cref="IMeterFactory"/>) and ActivitySource.</summary>
public sealed class ReferralTelemetry : IDisposable
{
    /// <summary>The name of the Meter and the ActivitySource.</summary>
    public const string Name = "Loyalty.Referrals";

    private readonly Meter _meter;
    private readonly Counter<long> _codes;
    private readonly Counter<long> _visits;
    private readonly Counter<long> _shareOpens;
    private readonly Counter<long> _attributions;
    private readonly Counter<long> _blocked;
    private readonly Counter<long> _rewards;

    /// <summary>Creates the instruments.</summary>
    public ReferralTelemetry(IMeterFactory meterFactory)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        _meter = meterFactory.Create(Name);
        _codes = _meter.CreateCounter<long>("loyalty.referrals.codes.created", description: "Referral codes created, by kind (generated, vanity).");
        _visits = _meter.CreateCounter<long>("loyalty.referrals.visits", description: "Landing visits with a known code, by network.");
        _shareOpens = _meter.CreateCounter<long>("loyalty.referrals.share_opens", description: "Share links opened (tracked links), by network.");
        _attributions = _meter.CreateCounter<long>("loyalty.referrals.attributions", description: "Friends' orders attributed to advocates, by touch.");
        _blocked = _meter.CreateCounter<long>("loyalty.referrals.blocked", description: "Referrals blocked by a fraud rule, by rule.");
        _rewards = _meter.CreateCounter<long>("loyalty.referrals.rewards", description: "Reward transitions, by kind and state.");
    }

    /// <summary>Traces attribution and reward issuing.</summary>
    public ActivitySource ActivitySource { get; } = new(Name);

    internal void CodeCreated(bool vanity) => _codes.Add(1, new KeyValuePair<string, object?>("kind", vanity ? "vanity" : "generated"));

    internal void Visit(string? network) => _visits.Add(1, new KeyValuePair<string, object?>("network", network ?? "unknown"));

    internal void ShareOpened(string network) => _shareOpens.Add(1, new KeyValuePair<string, object?>("network", network));

    internal void Attributed(string touch) => _attributions.Add(1, new KeyValuePair<string, object?>("touch", touch));

    internal void Blocked(string rule) => _blocked.Add(1, new KeyValuePair<string, object?>("rule", rule));

    internal void Reward(string kind, string state) => _rewards.Add(1, new("kind", kind), new("state", state));

    /// <inheritdoc />
    public void Dispose()
    {
        ActivitySource.Dispose();
        _meter.Dispose();
    }
}
