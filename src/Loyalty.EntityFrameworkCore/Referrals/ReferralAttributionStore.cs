using Loyalty.Stores;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Loyalty.EntityFrameworkCore.Referrals;

/// <summary>Attributions in <typeparamref name="TContext"/>. Reads do not track; writes are saved at once.</summary>
/// <remarks>
/// The friend is the primary key: a friend is attributed once, whichever of several racing processes writes first;
/// the others get false. Indexed by (advocate, time) and (IP hash, time) for the fraud caps.
/// </remarks>
/// <typeparam name="TContext">A context whose model called <c>modelBuilder.AddLoyalty()</c>.</typeparam>
public sealed class ReferralAttributionStore<TContext> : IReferralAttributionStore
    where TContext : DbContext
{
    private readonly TContext _context;
    private readonly ILogger _logger;

    /// <summary>Creates the store over <paramref name="context"/>.</summary>
    public ReferralAttributionStore(TContext context, ILogger<ReferralAttributionStore<TContext>>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(context);
        _context = context;
        _logger = logger ?? (ILogger)NullLogger.Instance;
    }

    private DbSet<ReferralAttribution> Attributions => _context.Set<ReferralAttribution>();

    /// <inheritdoc />
    public async Task<bool> TryAddAsync(ReferralAttribution attribution, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(attribution);
        var friend = attribution.FriendCustomerId;
        for (var attempt = 1; ; attempt++)
        {
            if (await Attributions.AsNoTracking().AnyAsync(a => a.FriendCustomerId == friend, cancellationToken).ConfigureAwait(false))
            {
                Log.FriendAttributedBefore(_logger, friend);
                return false;
            }

            try
            {
                await ReferralWrites.SaveAsync(_context, attribution.Copy(), modified: false, configure: null, cancellationToken).ConfigureAwait(false);
                return true;
            }
            catch (DbUpdateException ex) when (attempt < ReferralWrites.MaxAttempts)
            {
                Log.ReferralWriteRace(_logger, "attribution of friend", friend, attempt, ex);
            }
        }
    }

    /// <inheritdoc />
    public Task<ReferralAttribution?> FindByFriendAsync(string friendCustomerId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(friendCustomerId);
        return Attributions.AsNoTracking().FirstOrDefaultAsync(a => a.FriendCustomerId == friendCustomerId, cancellationToken);
    }

    /// <inheritdoc />
    /// <remarks>One guarded statement; an attribution that is not stored is not created.</remarks>
    public async Task UpdateAsync(ReferralAttribution attribution, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(attribution);
        var a = attribution.Copy();
        await Attributions
            .Where(x => x.FriendCustomerId == a.FriendCustomerId)
            .ExecuteUpdateAsync(
                s => s.SetProperty(x => x.AdvocateCustomerId, a.AdvocateCustomerId)
                    .SetProperty(x => x.Code, a.Code)
                    .SetProperty(x => x.OrderId, a.OrderId)
                    .SetProperty(x => x.OrderPlacedAt, a.OrderPlacedAt)
                    .SetProperty(x => x.Touch, a.Touch)
                    .SetProperty(x => x.Network, a.Network)
                    .SetProperty(x => x.IpHash, a.IpHash)
                    .SetProperty(x => x.Refunded, a.Refunded)
                    .SetProperty(x => x.AttributedAt, a.AttributedAt),
                cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public Task<int> CountByAdvocateAsync(string advocateCustomerId, DateTimeOffset since, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(advocateCustomerId);
        return Attributions.AsNoTracking().CountAsync(a => a.AdvocateCustomerId == advocateCustomerId && a.AttributedAt >= since, cancellationToken);
    }

    /// <inheritdoc />
    public Task<int> CountByIpHashAsync(string ipHash, DateTimeOffset since, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(ipHash);
        return Attributions.AsNoTracking().CountAsync(a => a.IpHash == ipHash && a.AttributedAt >= since, cancellationToken);
    }

    /// <inheritdoc />
    public Task<IReadOnlyDictionary<string, int>> CountByNetworkAsync(ReferralFunnelFilter filter, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(filter);
        var attributions = Attributions.AsNoTracking();
        if (filter.AdvocateCustomerId is { } advocate)
        {
            attributions = attributions.Where(a => a.AdvocateCustomerId == advocate);
        }

        if (filter.Since is { } since)
        {
            attributions = attributions.Where(a => a.OrderPlacedAt >= since);
        }

        if (filter.Until is { } until)
        {
            attributions = attributions.Where(a => a.OrderPlacedAt < until);
        }

        return ReferralWrites.CountByNetworkAsync(attributions.Select(a => a.Network), cancellationToken);
    }
}
