using Loyalty.Stores;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Loyalty.EntityFrameworkCore.Referrals;

/// <summary>Rewards in <typeparamref name="TContext"/>. Reads do not track; writes are saved at once.</summary>
/// <remarks>
/// The idempotency key has a unique index: of several processes adding the same reward, one writes it and the
/// others get false. <see cref="TryUpdateAsync"/> is one statement guarded by the version
/// (<c>UPDATE … WHERE idempotency_key = @key AND version = @expected</c>), so a late worker cannot overwrite a newer
/// state. Indexed by (state, due time) for the issuing job, (recipient, state, due time) and friend.
/// </remarks>
/// <typeparam name="TContext">A context whose model called <c>modelBuilder.AddLoyalty()</c>.</typeparam>
public sealed class ReferralRewardStore<TContext> : IReferralRewardStore
    where TContext : DbContext
{
    private readonly TContext _context;
    private readonly ILogger _logger;

    /// <summary>Creates the store over <paramref name="context"/>.</summary>
    public ReferralRewardStore(TContext context, ILogger<ReferralRewardStore<TContext>>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(context);
        _context = context;
        _logger = logger ?? (ILogger)NullLogger.Instance;
    }

    private DbSet<ReferralReward> Rewards => _context.Set<ReferralReward>();

    /// <inheritdoc />
    public async Task<bool> TryAddAsync(ReferralReward reward, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(reward);
        var key = reward.IdempotencyKey;
        for (var attempt = 1; ; attempt++)
        {
            if (await Rewards.AsNoTracking().AnyAsync(r => r.IdempotencyKey == key, cancellationToken).ConfigureAwait(false))
            {
                Log.RewardExists(_logger, key);
                return false;
            }

            try
            {
                await ReferralWrites.SaveAsync(_context, reward.Copy(), modified: false, configure: null, cancellationToken).ConfigureAwait(false);
                return true;
            }
            catch (DbUpdateException ex) when (attempt < ReferralWrites.MaxAttempts)
            {
                Log.ReferralWriteRace(_logger, "reward", key, attempt, ex);
            }
        }
    }

    /// <inheritdoc />
    public Task<ReferralReward?> FindByKeyAsync(string idempotencyKey, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(idempotencyKey);
        return Rewards.AsNoTracking().FirstOrDefaultAsync(r => r.IdempotencyKey == idempotencyKey, cancellationToken);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<ReferralReward>> GetByFriendAsync(string friendCustomerId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(friendCustomerId);
        return await Rewards.AsNoTracking()
            .Where(r => r.FriendCustomerId == friendCustomerId)
            .OrderBy(r => r.CreatedAt).ThenBy(r => r.IdempotencyKey)
            .ToListAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<ReferralReward>> GetDueAsync(DateTimeOffset now, string? customerId, int maxCount, CancellationToken cancellationToken)
    {
        if (maxCount <= 0)
        {
            return [];
        }

        var rewards = Rewards.AsNoTracking().Where(r => r.State == ReferralRewardState.Pending && r.DueAt <= now);
        if (customerId is not null)
        {
            rewards = rewards.Where(r => r.CustomerId == customerId);
        }

        return await rewards
            .OrderBy(r => r.DueAt).ThenBy(r => r.Id)
            .Take(maxCount)
            .ToListAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    /// <remarks>
    /// Writes every field but the row id and the idempotency key, sets the stored version to
    /// <c>expectedVersion + 1</c> and, on success, sets <see cref="ReferralReward.Version"/> of
    /// <paramref name="reward"/> to it.
    /// </remarks>
    public async Task<bool> TryUpdateAsync(ReferralReward reward, int expectedVersion, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(reward);
        var r = reward.Copy();
        var next = expectedVersion + 1;
        var rows = await Rewards
            .Where(x => x.IdempotencyKey == r.IdempotencyKey && x.Version == expectedVersion)
            .ExecuteUpdateAsync(
                s => s.SetProperty(x => x.Kind, r.Kind)
                    .SetProperty(x => x.CustomerId, r.CustomerId)
                    .SetProperty(x => x.AdvocateCustomerId, r.AdvocateCustomerId)
                    .SetProperty(x => x.FriendCustomerId, r.FriendCustomerId)
                    .SetProperty(x => x.OrderId, r.OrderId)
                    .SetProperty(x => x.Network, r.Network)
                    .SetProperty(x => x.Currency, r.Currency)
                    .SetProperty(x => x.State, r.State)
                    .SetProperty(x => x.Reason, r.Reason)
                    .SetProperty(x => x.DueAt, r.DueAt)
                    .SetProperty(x => x.IssuedDescription, r.IssuedDescription)
                    .SetProperty(x => x.IssuedAt, r.IssuedAt)
                    .SetProperty(x => x.CreatedAt, r.CreatedAt)
                    .SetProperty(x => x.UpdatedAt, r.UpdatedAt)
                    .SetProperty(x => x.Version, next),
                cancellationToken).ConfigureAwait(false);
        if (rows == 0)
        {
            Log.RewardMovedOn(_logger, r.IdempotencyKey, expectedVersion);
            return false;
        }

        reward.Version = next;
        return true;
    }

    /// <inheritdoc />
    public Task<IReadOnlyDictionary<string, int>> CountIssuedByNetworkAsync(ReferralFunnelFilter filter, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(filter);
        var rewards = Rewards.AsNoTracking().Where(r => r.Kind == ReferralRewardKind.Advocate
            && (r.State == ReferralRewardState.Issued || r.State == ReferralRewardState.ClawedBack)
            && r.IssuedAt != null);
        if (filter.AdvocateCustomerId is { } advocate)
        {
            rewards = rewards.Where(r => r.AdvocateCustomerId == advocate);
        }

        if (filter.Since is { } since)
        {
            rewards = rewards.Where(r => r.IssuedAt >= since);
        }

        if (filter.Until is { } until)
        {
            rewards = rewards.Where(r => r.IssuedAt < until);
        }

        return ReferralWrites.CountByNetworkAsync(rewards.Select(r => r.Network), cancellationToken);
    }
}
