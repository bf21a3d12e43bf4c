using Loyalty.Stores;
using Microsoft.EntityFrameworkCore;

namespace Loyalty.EntityFrameworkCore.Referrals;

/// <summary>Share-link events in <typeparamref name="TContext"/>, indexed by (customer, time). Reads do not track; writes are saved at once.</summary>
/// <typeparam name="TContext">A context whose model called <c>modelBuilder.AddLoyalty()</c>.</typeparam>
public sealed class ShareEventStore<TContext> : IShareEventStore
    where TContext : DbContext
{
    private readonly TContext _context;

    /// <summary>Creates the store over <paramref name="context"/>.</summary>
    public ShareEventStore(TContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        _context = context;
    }

    /// <inheritdoc />
    public Task AddAsync(ShareEvent shareEvent, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(shareEvent);
        return ReferralWrites.SaveAsync(_context, shareEvent.Copy(), modified: false, configure: null, cancellationToken);
    }

    /// <inheritdoc />
    public Task<IReadOnlyDictionary<string, int>> CountByNetworkAsync(ShareEventKind kind, ReferralFunnelFilter filter, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(filter);
        var events = _context.Set<ShareEvent>().AsNoTracking().Where(e => e.Kind == kind);
        if (filter.AdvocateCustomerId is { } advocate)
        {
            events = events.Where(e => e.CustomerId == advocate);
        }

        if (filter.Since is { } since)
        {
            events = events.Where(e => e.At >= since);
        }

        if (filter.Until is { } until)
        {
            events = events.Where(e => e.At < until);
        }

        return ReferralWrites.CountByNetworkAsync(events.Select(e => (string?)e.Network), cancellationToken);
    }
}
