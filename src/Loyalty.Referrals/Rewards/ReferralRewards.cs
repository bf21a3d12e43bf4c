using Loyalty.Email.Flows;
using Loyalty.Referrals.Diagnostics;
using Loyalty.Stores;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Loyalty.Referrals.Rewards;

/// <summary>
/// The host's optional callback that takes back an issued reward (a coupon voided, a credit reversed) when the
/// qualifying order is refunded. Without one, a refunded order still cancels every pending reward, and an issued
/// one is logged for the shop to handle.
/// </summary>
public interface IReferralRewardRevoker
{
    /// <summary>Revokes what was issued under <paramref name="idempotencyKey"/>; must be idempotent too.</summary>
    Task RevokeAsync(string idempotencyKey, string customerId, string reason, CancellationToken cancellationToken);
}

/// <summary>
/// Referral rewards, paid through the host's <see cref="ICreditIssuer"/> (the library never invents money): the
/// friend's at the qualifying order, the advocate's once the order has survived the return window. Every reward is a
/// row with a unique idempotency key and a versioned state, and the issuer receives that key, so a retried or
/// concurrent job never pays twice.
/// </summary>
public sealed class ReferralRewards
{
    private readonly IReferralRewardStore _rewards;
    private readonly IReferralAttributionStore _attributions;
    private readonly ICustomerStore _customers;
    private readonly ICreditIssuer? _issuer;
    private readonly IReferralRewardRevoker? _revoker;
    private readonly ReferralOptions _options;
    private readonly TimeProvider _time;
    private readonly ReferralTelemetry _telemetry;
    private readonly ILogger<ReferralRewards> _logger;

    /// <summary>Created by DI; the issuer and revoker are the host's and optional.</summary>
    public ReferralRewards(IReferralRewardStore rewards, IReferralAttributionStore attributions, ICustomerStore customers, IEnumerable<ICreditIssuer> issuers, IEnumerable<IReferralRewardRevoker> revokers,
        IOptions<ReferralOptions> options, TimeProvider time, ReferralTelemetry telemetry, ILogger<ReferralRewards> logger)
    {
        ArgumentNullException.ThrowIfNull(issuers);
        ArgumentNullException.ThrowIfNull(revokers);
        ArgumentNullException.ThrowIfNull(options);
        _rewards = rewards;
        _attributions = attributions;
        _customers = customers;
        _issuer = issuers.LastOrDefault();
        _revoker = revokers.LastOrDefault();
        _options = options.Value;
        _time = time;
        _telemetry = telemetry;
        _logger = logger;
    }

    /// <summary>The idempotency key of a reward: one per kind per friend (a friend is referred once).</summary>
    public static string KeyFor(ReferralRewardKind kind, string friendCustomerId) => $"referral:{kind.ToString().ToLowerInvariant()}:{friendCustomerId}";

    /// <summary>
    /// Creates the pending rewards of a new attribution (the friend's due now, the advocate's at the end of the
    /// return window); creating them again changes nothing. Returns the rewards as stored.
    /// </summary>
    public async Task<IReadOnlyList<ReferralReward>> CreateAsync(ReferralAttribution attribution, string? currency, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(attribution);
        var now = _time.GetUtcNow();
        var result = new List<ReferralReward>();
        if (_options.Rewards.FriendRewardEnabled)
        {
            result.Add(await AddAsync(ReferralRewardKind.Friend, attribution.FriendCustomerId, attribution, currency, now, now, cancellationToken).ConfigureAwait(false));
        }

        if (_options.Rewards.AdvocateRewardEnabled)
        {
            result.Add(await AddAsync(ReferralRewardKind.Advocate, attribution.AdvocateCustomerId, attribution, currency, attribution.OrderPlacedAt + _options.ReturnWindow, now, cancellationToken).ConfigureAwait(false));
        }

        return result;
    }

    /// <summary>
    /// Issues the reward with <paramref name="idempotencyKey"/> if it is pending and due; an advocate reward is first
    /// re-checked against the order (refunded → cancelled). Calling it again, or concurrently, pays nothing more.
    /// Returns the reward as it now stands, or null when there is none.
    /// </summary>
    public async Task<ReferralReward?> IssueAsync(string idempotencyKey, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(idempotencyKey);
        using var activity = _telemetry.ActivitySource.StartActivity("loyalty.referral.reward");
        var reward = await _rewards.FindByKeyAsync(idempotencyKey, cancellationToken).ConfigureAwait(false);
        var now = _time.GetUtcNow();
        if (reward is null || reward.State != ReferralRewardState.Pending || reward.DueAt > now)
        {
            return reward;
        }

        var version = reward.Version;
        if (await IsRefundedAsync(reward, cancellationToken).ConfigureAwait(false))
        {
            return await MoveAsync(reward, version, ReferralRewardState.Cancelled, "order-refunded", cancellationToken).ConfigureAwait(false);
        }

        if (_issuer is null)
        {
            // Kept pending: registering an issuer later pays it.
            ReferralsLog.RewardChanged(_logger, reward.IdempotencyKey, reward.CustomerId, "pending", "no ICreditIssuer is registered");
            return reward;
        }

        var friend = reward.Kind == ReferralRewardKind.Friend;
        var issued = await _issuer.IssueAsync(new CreditRequest(
            reward.IdempotencyKey,
            reward.CustomerId,
            friend ? _options.Rewards.FriendRewardKind : _options.Rewards.AdvocateRewardKind,
            friend ? _options.Rewards.FriendAmount : _options.Rewards.AdvocateAmount,
            _options.Rewards.Currency ?? reward.Currency,
            $"referral of {reward.FriendCustomerId} by {reward.AdvocateCustomerId}, order {reward.OrderId}"), cancellationToken).ConfigureAwait(false);
        reward.IssuedDescription = issued;
        reward.IssuedAt = now;
        return await MoveAsync(reward, version, ReferralRewardState.Issued, null, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Issues every pending reward that is due (optionally only <paramref name="customerId"/>'s): the delayed step of
    /// advocate rewards. Safe to run on a schedule and at the same time on several workers. Returns the rewards issued now.
    /// </summary>
    public async Task<IReadOnlyList<ReferralReward>> IssueDueAsync(string? customerId = null, CancellationToken cancellationToken = default)
    {
        var issued = new List<ReferralReward>();
        var due = await _rewards.GetDueAsync(_time.GetUtcNow(), customerId, 500, cancellationToken).ConfigureAwait(false);
        foreach (var reward in due)
        {
            var after = await IssueAsync(reward.IdempotencyKey, cancellationToken).ConfigureAwait(false);
            if (after is { State: ReferralRewardState.Issued })
            {
                issued.Add(after);
            }
        }

        return issued;
    }

    /// <summary>
    /// The friend's order <paramref name="orderId"/> was refunded: marks the attribution, cancels pending rewards and,
    /// inside the return window, claws back issued ones through <see cref="IReferralRewardRevoker"/>.
    /// </summary>
    public async Task<IReadOnlyList<ReferralReward>> HandleRefundAsync(string friendCustomerId, string orderId, DateTimeOffset refundedAt, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(friendCustomerId);
        var attribution = await _attributions.FindByFriendAsync(friendCustomerId, cancellationToken).ConfigureAwait(false);
        if (attribution is null || attribution.OrderId != orderId)
        {
            return [];
        }

        attribution.Refunded = true;
        await _attributions.UpdateAsync(attribution, cancellationToken).ConfigureAwait(false);
        var changed = new List<ReferralReward>();
        var insideWindow = refundedAt <= attribution.OrderPlacedAt + _options.ReturnWindow;
        foreach (var reward in await _rewards.GetByFriendAsync(friendCustomerId, cancellationToken).ConfigureAwait(false))
        {
            switch (reward.State)
            {
                case ReferralRewardState.Pending:
                    changed.Add(await MoveAsync(reward, reward.Version, ReferralRewardState.Cancelled, "order-refunded", cancellationToken).ConfigureAwait(false));
                    break;
                case ReferralRewardState.Issued when insideWindow && _revoker is not null:
                    await _revoker.RevokeAsync(reward.IdempotencyKey, reward.CustomerId, "order-refunded", cancellationToken).ConfigureAwait(false);
                    changed.Add(await MoveAsync(reward, reward.Version, ReferralRewardState.ClawedBack, "order-refunded", cancellationToken).ConfigureAwait(false));
                    break;
                case ReferralRewardState.Issued when insideWindow:
                    ReferralsLog.CannotClawBack(_logger, reward.IdempotencyKey);
                    break;
            }
        }

        return changed;
    }

    private async Task<ReferralReward> AddAsync(ReferralRewardKind kind, string recipient, ReferralAttribution attribution, string? currency, DateTimeOffset dueAt, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var reward = new ReferralReward
        {
            Id = Guid.CreateVersion7(now),
            IdempotencyKey = KeyFor(kind, attribution.FriendCustomerId),
            Kind = kind,
            CustomerId = recipient,
            AdvocateCustomerId = attribution.AdvocateCustomerId,
            FriendCustomerId = attribution.FriendCustomerId,
            OrderId = attribution.OrderId,
            Network = attribution.Network,
            Currency = currency,
            State = ReferralRewardState.Pending,
            DueAt = dueAt,
            CreatedAt = now,
            UpdatedAt = now,
        };
        if (await _rewards.TryAddAsync(reward, cancellationToken).ConfigureAwait(false))
        {
            _telemetry.Reward(kind.ToString(), "pending");
            return reward;
        }

        return (await _rewards.FindByKeyAsync(reward.IdempotencyKey, cancellationToken).ConfigureAwait(false))!;
    }

    private async Task<bool> IsRefundedAsync(ReferralReward reward, CancellationToken cancellationToken)
    {
        var attribution = await _attributions.FindByFriendAsync(reward.FriendCustomerId, cancellationToken).ConfigureAwait(false);
        if (attribution is { Refunded: true })
        {
            return true;
        }

        // The shop's refund may have reached intake without reaching this package yet: the order is the truth.
        var orders = await _customers.GetOrdersAsync(reward.FriendCustomerId, cancellationToken).ConfigureAwait(false);
        return orders.Any(o => o.OrderId == reward.OrderId && o.Status == OrderStatus.Refunded);
    }

    private async Task<ReferralReward> MoveAsync(ReferralReward reward, int version, ReferralRewardState state, string? reason, CancellationToken cancellationToken)
    {
        reward.State = state;
        reward.Reason = reason;
        reward.UpdatedAt = _time.GetUtcNow();
        if (!await _rewards.TryUpdateAsync(reward, version, CancellationToken.None).ConfigureAwait(false))
        {
            ReferralsLog.RewardLostRace(_logger, reward.IdempotencyKey);
            return (await _rewards.FindByKeyAsync(reward.IdempotencyKey, cancellationToken).ConfigureAwait(false))!;
        }

        _telemetry.Reward(reward.Kind.ToString(), state.ToString().ToLowerInvariant());
        ReferralsLog.RewardChanged(_logger, reward.IdempotencyKey, reward.CustomerId, state.ToString(), reason);
        return reward;
    }
}
