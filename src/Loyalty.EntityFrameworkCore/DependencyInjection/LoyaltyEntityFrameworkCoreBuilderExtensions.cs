using Loyalty.DependencyInjection;
using Loyalty.EntityFrameworkCore;
using Loyalty.EntityFrameworkCore.Referrals;
using Loyalty.EntityFrameworkCore.Stores;
using Loyalty.Stores;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Wires Loyalty's EF Core stores.</summary>
public static class LoyaltyEntityFrameworkCoreBuilderExtensions
{
    /// <summary>
    /// Registers the EF Core implementations of every Loyalty store (intake, steps, suppressions, and the referral
    /// and review stores) over <typeparamref name="TContext"/>, scoped
    /// like the context (which the shop registers itself, e.g. with <c>AddDbContext</c>; its model must call
    /// <c>modelBuilder.AddLoyalty()</c>, or use <see cref="LoyaltyDbContext"/>). Registers with <c>TryAdd</c>
    /// only, so stores registered before win; can be safely called multiple times.
    /// </summary>
    public static LoyaltyBuilder UseEntityFrameworkCore<TContext>(this LoyaltyBuilder builder, Action<LoyaltyEntityFrameworkCoreOptions>? configure = null)
        where TContext : DbContext
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        services.AddOptions<LoyaltyEntityFrameworkCoreOptions>();
        if (configure is not null)
        {
            services.Configure(configure);
        }

        services.TryAddScoped<IProcessedEventStore, ProcessedEventStore<TContext>>();
        services.TryAddScoped<ICustomerStore, CustomerStore<TContext>>();
        services.TryAddScoped<IIntakeStore, IntakeStore<TContext>>();
        services.TryAddScoped<IScheduledStepStore, ScheduledStepStore<TContext>>();
        services.TryAddScoped<ISuppressionStore, SuppressionStore<TContext>>();

        services.TryAddScoped<IReferralCodeStore, ReferralCodeStore<TContext>>();
        services.TryAddScoped<IReferralVisitStore, ReferralVisitStore<TContext>>();
        services.TryAddScoped<IReferralAttributionStore, ReferralAttributionStore<TContext>>();
        services.TryAddScoped<IReferralRewardStore, ReferralRewardStore<TContext>>();
        services.TryAddScoped<IReferralFraudStore, ReferralFraudStore<TContext>>();
        services.TryAddScoped<IShareEventStore, ShareEventStore<TContext>>();
        services.TryAddScoped<IReviewStore, ReviewStore<TContext>>();
        services.TryAddScoped<ICustomerFingerprintStore, CustomerFingerprintStore<TContext>>();
        return builder;
    }
}
