using Loyalty.EntityFrameworkCore.Referrals;
using Loyalty.Referrals.Stores;
using Loyalty.Stores;
using Microsoft.EntityFrameworkCore;

namespace Loyalty.EntityFrameworkCore.Tests.Infrastructure;

/// <summary>The eight referral stores as one unit of work would see them (one DbContext for the EF stores).</summary>
public sealed class ReferralStoreSession(
    IReferralCodeStore codes,
    IReferralVisitStore visits,
    IReferralAttributionStore attributions,
    IReferralRewardStore rewards,
    IReferralFraudStore fraud,
    IShareEventStore shares,
    IReviewStore reviews,
    ICustomerFingerprintStore fingerprints,
    IAsyncDisposable? owner = null) : IAsyncDisposable
{
    public IReferralCodeStore Codes { get; } = codes;

    public IReferralVisitStore Visits { get; } = visits;

    public IReferralAttributionStore Attributions { get; } = attributions;

    public IReferralRewardStore Rewards { get; } = rewards;

    public IReferralFraudStore Fraud { get; } = fraud;

    public IShareEventStore Shares { get; } = shares;

    public IReviewStore Reviews { get; } = reviews;

    public ICustomerFingerprintStore Fingerprints { get; } = fingerprints;

    public static ReferralStoreSession Over(InMemoryReferralStore store) =>
        new(store, store, store, store, store, store, store, store);

    public static ReferralStoreSession Over<TContext>(TContext context)
        where TContext : DbContext =>
        new(
            new ReferralCodeStore<TContext>(context),
            new ReferralVisitStore<TContext>(context),
            new ReferralAttributionStore<TContext>(context),
            new ReferralRewardStore<TContext>(context),
            new ReferralFraudStore<TContext>(context),
            new ShareEventStore<TContext>(context),
            new ReviewStore<TContext>(context),
            new CustomerFingerprintStore<TContext>(context),
            context);

    public ValueTask DisposeAsync() => owner?.DisposeAsync() ?? ValueTask.CompletedTask;
}
