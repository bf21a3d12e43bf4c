using Loyalty.Stores;

namespace Loyalty.Referrals.Stores;

/// <summary>
/// Every referral and review store in memory, behind one lock: thread-safe within one process, and NOT durable —
/// a restart forgets every code, visit, attribution and reward, and two processes do not see each other's data.
/// For tests, demos and single-process prototypes; production uses Loyalty.EntityFrameworkCore.
/// Records are copied in and out, so a caller changing an object it holds changes nothing stored.
/// </summary>
public sealed class InMemoryReferralStore :
    IReferralCodeStore, IReferralVisitStore, IReferralAttributionStore, IReferralRewardStore,
    IReferralFraudStore, IShareEventStore, IReviewStore, ICustomerFingerprintStore
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, ReferralCode> _codes = new(StringComparer.Ordinal);
    private readonly List<ReferralVisit> _visits = [];
    private readonly Dictionary<string, ReferralAttribution> _attributions = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ReferralReward> _rewards = new(StringComparer.Ordinal);
    private readonly List<ReferralFraudDecision> _fraud = [];
    private readonly List<ShareEvent> _shares = [];
    private readonly Dictionary<(string, string), ReviewRequest> _requests = [];
    private readonly Dictionary<(string, string), ProductReview> _reviews = [];
    private readonly Dictionary<(string, string, string), DateTimeOffset> _fingerprints = [];

    /// <inheritdoc />
    public Task<ReferralCodeAddResult> TryAddAsync(ReferralCode code, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(code);
        lock (_gate)
        {
            if (_codes.ContainsKey(code.Code))
            {
                return Task.FromResult(ReferralCodeAddResult.CodeTaken);
            }

            if (!code.IsVanity && _codes.Values.Any(c => !c.IsVanity && c.CustomerId == code.CustomerId))
            {
                return Task.FromResult(ReferralCodeAddResult.CustomerHasGeneratedCode);
            }

            _codes[code.Code] = code.Copy();
            return Task.FromResult(ReferralCodeAddResult.Added);
        }
    }

    /// <inheritdoc />
    public Task<ReferralCode?> FindByCodeAsync(string code, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return Task.FromResult(_codes.TryGetValue(code, out var found) ? found.Copy() : null);
        }
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<ReferralCode>> GetByCustomerAsync(string customerId, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            IReadOnlyList<ReferralCode> result = _codes.Values.Where(c => c.CustomerId == customerId).OrderBy(c => c.CreatedAt).Select(x => x.Copy()).ToList();
            return Task.FromResult(result);
        }
    }

    /// <inheritdoc />
    public Task AddAsync(ReferralVisit visit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(visit);
        lock (_gate)
        {
            _visits.Add(visit.Copy());
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<ReferralVisit>> GetByVisitorAsync(string visitorId, DateTimeOffset since, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            IReadOnlyList<ReferralVisit> result = _visits.Where(v => v.VisitorId == visitorId && v.VisitedAt >= since)
                .OrderByDescending(v => v.VisitedAt).Select(x => x.Copy()).ToList();
            return Task.FromResult(result);
        }
    }

    /// <inheritdoc />
    Task<IReadOnlyDictionary<string, int>> IReferralVisitStore.CountByNetworkAsync(ReferralFunnelFilter filter, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(filter);
        lock (_gate)
        {
            return Count(_visits.Where(v => Matches(filter, v.AdvocateCustomerId, v.VisitedAt)), v => v.Network);
        }
    }

    /// <inheritdoc />
    public Task<bool> TryAddAsync(ReferralAttribution attribution, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(attribution);
        lock (_gate)
        {
            return Task.FromResult(_attributions.TryAdd(attribution.FriendCustomerId, attribution.Copy()));
        }
    }

    /// <inheritdoc />
    public Task<ReferralAttribution?> FindByFriendAsync(string friendCustomerId, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return Task.FromResult(_attributions.TryGetValue(friendCustomerId, out var found) ? found.Copy() : null);
        }
    }

    /// <inheritdoc />
    public Task UpdateAsync(ReferralAttribution attribution, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(attribution);
        lock (_gate)
        {
            if (_attributions.ContainsKey(attribution.FriendCustomerId))
            {
                _attributions[attribution.FriendCustomerId] = attribution.Copy();
            }
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task<int> CountByAdvocateAsync(string advocateCustomerId, DateTimeOffset since, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return Task.FromResult(_attributions.Values.Count(a => a.AdvocateCustomerId == advocateCustomerId && a.AttributedAt >= since));
        }
    }

    /// <inheritdoc />
    public Task<int> CountByIpHashAsync(string ipHash, DateTimeOffset since, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return Task.FromResult(_attributions.Values.Count(a => a.IpHash == ipHash && a.AttributedAt >= since));
        }
    }

    /// <inheritdoc />
    Task<IReadOnlyDictionary<string, int>> IReferralAttributionStore.CountByNetworkAsync(ReferralFunnelFilter filter, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(filter);
        lock (_gate)
        {
            return Count(_attributions.Values.Where(a => Matches(filter, a.AdvocateCustomerId, a.OrderPlacedAt)), a => a.Network);
        }
    }

    /// <inheritdoc />
    public Task<bool> TryAddAsync(ReferralReward reward, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(reward);
        lock (_gate)
        {
            return Task.FromResult(_rewards.TryAdd(reward.IdempotencyKey, reward.Copy()));
        }
    }

    /// <inheritdoc />
    public Task<ReferralReward?> FindByKeyAsync(string idempotencyKey, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return Task.FromResult(_rewards.TryGetValue(idempotencyKey, out var found) ? found.Copy() : null);
        }
    }

    /// <inheritdoc />
    Task<IReadOnlyList<ReferralReward>> IReferralRewardStore.GetByFriendAsync(string friendCustomerId, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            IReadOnlyList<ReferralReward> result = _rewards.Values.Where(r => r.FriendCustomerId == friendCustomerId).OrderBy(r => r.CreatedAt).Select(x => x.Copy()).ToList();
            return Task.FromResult(result);
        }
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<ReferralReward>> GetDueAsync(DateTimeOffset now, string? customerId, int maxCount, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            IReadOnlyList<ReferralReward> result = _rewards.Values
                .Where(r => r.State == ReferralRewardState.Pending && r.DueAt <= now && (customerId is null || r.CustomerId == customerId))
                .OrderBy(r => r.DueAt).Take(maxCount).Select(x => x.Copy()).ToList();
            return Task.FromResult(result);
        }
    }

    /// <inheritdoc />
    public Task<bool> TryUpdateAsync(ReferralReward reward, int expectedVersion, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(reward);
        lock (_gate)
        {
            if (!_rewards.TryGetValue(reward.IdempotencyKey, out var stored) || stored.Version != expectedVersion)
            {
                return Task.FromResult(false);
            }

            reward.Version = expectedVersion + 1;
            _rewards[reward.IdempotencyKey] = reward.Copy();
            return Task.FromResult(true);
        }
    }

    /// <inheritdoc />
    public Task<IReadOnlyDictionary<string, int>> CountIssuedByNetworkAsync(ReferralFunnelFilter filter, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(filter);
        lock (_gate)
        {
            return Count(_rewards.Values.Where(r => r.Kind == ReferralRewardKind.Advocate && r.State is ReferralRewardState.Issued or ReferralRewardState.ClawedBack
                && r.IssuedAt is { } at && Matches(filter, r.AdvocateCustomerId, at)), r => r.Network);
        }
    }

    /// <inheritdoc />
    public Task AddAsync(ReferralFraudDecision decision, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(decision);
        lock (_gate)
        {
            _fraud.Add(decision.Copy());
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc />
    Task<IReadOnlyList<ReferralFraudDecision>> IReferralFraudStore.GetByFriendAsync(string friendCustomerId, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            IReadOnlyList<ReferralFraudDecision> result = _fraud.Where(d => d.FriendCustomerId == friendCustomerId).Select(x => x.Copy()).ToList();
            return Task.FromResult(result);
        }
    }

    /// <inheritdoc />
    public Task AddAsync(ShareEvent shareEvent, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(shareEvent);
        lock (_gate)
        {
            _shares.Add(new ShareEvent { Id = shareEvent.Id, CustomerId = shareEvent.CustomerId, Network = shareEvent.Network, Kind = shareEvent.Kind, Subject = shareEvent.Subject, At = shareEvent.At });
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task<IReadOnlyDictionary<string, int>> CountByNetworkAsync(ShareEventKind kind, ReferralFunnelFilter filter, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(filter);
        lock (_gate)
        {
            return Count(_shares.Where(s => s.Kind == kind && Matches(filter, s.CustomerId, s.At)), s => s.Network);
        }
    }

    /// <inheritdoc />
    public Task UpsertRequestAsync(ReviewRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        lock (_gate)
        {
            _requests[(request.CustomerId, request.OrderId)] = request.Copy();
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task<ReviewRequest?> FindRequestAsync(string customerId, string orderId, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return Task.FromResult(_requests.TryGetValue((customerId, orderId), out var found) ? found.Copy() : null);
        }
    }

    /// <inheritdoc />
    public Task UpsertReviewAsync(ProductReview review, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(review);
        lock (_gate)
        {
            _reviews[(review.CustomerId, review.Sku)] = new ProductReview { CustomerId = review.CustomerId, Sku = review.Sku, OrderId = review.OrderId, Rating = review.Rating, ReviewedAt = review.ReviewedAt };
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task<IReadOnlyCollection<string>> GetReviewedSkusAsync(string customerId, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            IReadOnlyCollection<string> result = _reviews.Keys.Where(k => k.Item1 == customerId).Select(k => k.Item2).ToHashSet(StringComparer.Ordinal);
            return Task.FromResult(result);
        }
    }

    /// <inheritdoc />
    public Task AddAsync(CustomerFingerprint fingerprint, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(fingerprint);
        lock (_gate)
        {
            _fingerprints.TryAdd((fingerprint.Kind, fingerprint.Value, fingerprint.CustomerId), fingerprint.SeenAt);
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task<IReadOnlyCollection<string>> FindCustomersAsync(string kind, string value, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            IReadOnlyCollection<string> result = _fingerprints.Keys.Where(k => k.Item1 == kind && k.Item2 == value).Select(k => k.Item3).ToHashSet(StringComparer.Ordinal);
            return Task.FromResult(result);
        }
    }

    private static bool Matches(ReferralFunnelFilter filter, string advocate, DateTimeOffset at) =>
        (filter.AdvocateCustomerId is null || filter.AdvocateCustomerId == advocate)
        && (filter.Since is null || at >= filter.Since)
        && (filter.Until is null || at < filter.Until);

    private static Task<IReadOnlyDictionary<string, int>> Count<T>(IEnumerable<T> items, Func<T, string?> network)
    {
        IReadOnlyDictionary<string, int> result = items.GroupBy(i => network(i) ?? "", StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        return Task.FromResult(result);
    }
}
