using Loyalty.Stores;
using Microsoft.EntityFrameworkCore;

namespace Loyalty.EntityFrameworkCore.Referrals;

/// <summary>Landing visits in <typeparamref name="TContext"/>. Reads do not track; writes are saved at once.</summary>
/// <remarks>Indexed by (visitor id, time), (code, time), (IP hash, time) and (advocate, time).</remarks>
/// <typeparam name="TContext">A context whose model called <c>modelBuilder.AddLoyalty()</c>.</typeparam>
public sealed class ReferralVisitStore<TContext> : IReferralVisitStore
    where TContext : DbContext
{
    private readonly TContext _context;

    /// <summary>Creates the store over <paramref name="context"/>.</summary>
    public ReferralVisitStore(TContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        _context = context;
    }

    private DbSet<ReferralVisit> Visits => _context.Set<ReferralVisit>();

    /// <inheritdoc />
    public Task AddAsync(ReferralVisit visit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(visit);
        return ReferralWrites.SaveAsync(_context, visit.Copy(), modified: false, configure: null, cancellationToken);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<ReferralVisit>> GetByVisitorAsync(string visitorId, DateTimeOffset since, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(visitorId);
        return await Visits.AsNoTracking()
            .Where(v => v.VisitorId == visitorId && v.VisitedAt >= since)
            .OrderByDescending(v => v.VisitedAt).ThenBy(v => v.Id)
            .ToListAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public Task<IReadOnlyDictionary<string, int>> CountByNetworkAsync(ReferralFunnelFilter filter, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(filter);
        var visits = Visits.AsNoTracking();
        if (filter.AdvocateCustomerId is { } advocate)
        {
            visits = visits.Where(v => v.AdvocateCustomerId == advocate);
        }

        if (filter.Since is { } since)
        {
            visits = visits.Where(v => v.VisitedAt >= since);
        }

        if (filter.Until is { } until)
        {
            visits = visits.Where(v => v.VisitedAt < until);
        }

        return ReferralWrites.CountByNetworkAsync(visits.Select(v => v.Network), cancellationToken);
    }
}
