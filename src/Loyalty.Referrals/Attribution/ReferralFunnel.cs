using Loyalty.Stores;

namespace Loyalty.Referrals.Attribution;

/// <summary>The funnel of one network (or of all, under <c>""</c> for an unknown network).</summary>
/// <param name="Network">The network id.</param>
/// <param name="ShareOpens">Share links opened.</param>
/// <param name="LandingVisits">Landing visits.</param>
/// <param name="AttributedOrders">Friends' orders attributed.</param>
/// <param name="Rewards">Advocate rewards issued.</param>
public sealed record ReferralFunnelRow(string Network, int ShareOpens, int LandingVisits, int AttributedOrders, int Rewards);

/// <summary>Funnel figures: the totals and one row per network.</summary>
/// <param name="Totals">All networks together (network <c>*</c>).</param>
/// <param name="ByNetwork">Per network, most visits first.</param>
public sealed record ReferralFunnelReport(ReferralFunnelRow Totals, IReadOnlyList<ReferralFunnelRow> ByNetwork);

/// <summary>Funnel figures per advocate and per network: share-link opens → landing visits → attributed orders → rewards.</summary>
public sealed class ReferralFunnel
{
    private readonly IShareEventStore _shares;
    private readonly IReferralVisitStore _visits;
    private readonly IReferralAttributionStore _attributions;
    private readonly IReferralRewardStore _rewards;

    /// <summary>Created by DI.</summary>
    public ReferralFunnel(IShareEventStore shares, IReferralVisitStore visits, IReferralAttributionStore attributions, IReferralRewardStore rewards)
    {
        _shares = shares;
        _visits = visits;
        _attributions = attributions;
        _rewards = rewards;
    }

    /// <summary>The funnel for <paramref name="filter"/> (one advocate or all, a time range or all time).</summary>
    public async Task<ReferralFunnelReport> GetAsync(ReferralFunnelFilter filter, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(filter);
        var opens = await _shares.CountByNetworkAsync(ShareEventKind.Opened, filter, cancellationToken).ConfigureAwait(false);
        var visits = await _visits.CountByNetworkAsync(filter, cancellationToken).ConfigureAwait(false);
        var orders = await _attributions.CountByNetworkAsync(filter, cancellationToken).ConfigureAwait(false);
        var rewards = await _rewards.CountIssuedByNetworkAsync(filter, cancellationToken).ConfigureAwait(false);
        var rows = opens.Keys.Union(visits.Keys).Union(orders.Keys).Union(rewards.Keys)
            .Select(n => new ReferralFunnelRow(n, opens.GetValueOrDefault(n), visits.GetValueOrDefault(n), orders.GetValueOrDefault(n), rewards.GetValueOrDefault(n)))
            .OrderByDescending(r => r.LandingVisits).ThenBy(r => r.Network, StringComparer.Ordinal).ToList();
        var totals = new ReferralFunnelRow("*", rows.Sum(r => r.ShareOpens), rows.Sum(r => r.LandingVisits), rows.Sum(r => r.AttributedOrders), rows.Sum(r => r.Rewards));
        return new ReferralFunnelReport(totals, rows);
    }
}
