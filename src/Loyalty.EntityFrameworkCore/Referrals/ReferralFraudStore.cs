using Loyalty.Stores;
using Microsoft.EntityFrameworkCore;

namespace Loyalty.EntityFrameworkCore.Referrals;

/// <summary>Fraud decisions in <typeparamref name="TContext"/>, indexed by friend. Reads do not track; writes are saved at once.</summary>
/// <typeparam name="TContext">A context whose model called <c>modelBuilder.AddLoyalty()</c>.</typeparam>
public sealed class ReferralFraudStore<TContext> : IReferralFraudStore
    where TContext : DbContext
{
    private readonly TContext _context;

    /// <summary>Creates the store over <paramref name="context"/>.</summary>
    public ReferralFraudStore(TContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        _context = context;
    }

    /// <inheritdoc />
    public Task AddAsync(ReferralFraudDecision decision, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(decision);
        return ReferralWrites.SaveAsync(_context, decision.Copy(), modified: false, configure: null, cancellationToken);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<ReferralFraudDecision>> GetByFriendAsync(string friendCustomerId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(friendCustomerId);
        return await _context.Set<ReferralFraudDecision>().AsNoTracking()
            .Where(d => d.FriendCustomerId == friendCustomerId)
            .OrderBy(d => d.DecidedAt).ThenBy(d => d.Id)
            .ToListAsync(cancellationToken).ConfigureAwait(false);
    }
}
