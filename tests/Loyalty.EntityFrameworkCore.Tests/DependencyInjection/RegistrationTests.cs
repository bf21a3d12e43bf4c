using Loyalty.Email.Stores.InMemory;
using Loyalty.EntityFrameworkCore.Referrals;
using Loyalty.EntityFrameworkCore.Stores;
using Loyalty.Referrals.Stores;
using Loyalty.EntityFrameworkCore.Tests.Infrastructure;
using Loyalty.Stores;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Loyalty.EntityFrameworkCore.Tests.DependencyInjection;

public sealed class RegistrationTests(SqliteDatabase database) : IClassFixture<SqliteDatabase>
{
    private static readonly Type[] StoreTypes =
        [typeof(IProcessedEventStore), typeof(ICustomerStore), typeof(IIntakeStore), typeof(IScheduledStepStore), typeof(ISuppressionStore)];

    private static readonly Type[] ReferralStoreTypes =
    [
        typeof(IReferralCodeStore), typeof(IReferralVisitStore), typeof(IReferralAttributionStore), typeof(IReferralRewardStore),
        typeof(IReferralFraudStore), typeof(IShareEventStore), typeof(IReviewStore), typeof(ICustomerFingerprintStore),
    ];

    [Fact]
    public async Task UseEntityFrameworkCore_registers_every_store_scoped_over_the_shops_context()
    {
        var services = new ServiceCollection();
        services.AddDbContext<ShopDbContext>(o => o.UseSqlite(database.ConnectionString));
        services.AddLoyalty().UseEntityFrameworkCore<ShopDbContext>(o => o.AutoSaveChanges = false);
        services.AddLoyalty().UseEntityFrameworkCore<ShopDbContext>();

        foreach (var type in StoreTypes.Concat(ReferralStoreTypes))
        {
            services.Where(d => d.ServiceType == type).Should().ContainSingle()
                .Which.Lifetime.Should().Be(ServiceLifetime.Scoped);
        }

        await using var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true, ValidateOnBuild = true });
        await using var scope = provider.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<IIntakeStore>().Should().BeOfType<IntakeStore<ShopDbContext>>()
            .Which.AutoSaveChanges.Should().BeFalse();
        scope.ServiceProvider.GetRequiredService<ISuppressionStore>().Should().BeOfType<SuppressionStore<ShopDbContext>>()
            .Which.AutoSaveChanges.Should().BeFalse();
        scope.ServiceProvider.GetRequiredService<IScheduledStepStore>().Should().BeOfType<ScheduledStepStore<ShopDbContext>>();
        scope.ServiceProvider.GetRequiredService<IReferralCodeStore>().Should().BeOfType<ReferralCodeStore<ShopDbContext>>();
        scope.ServiceProvider.GetRequiredService<IReferralRewardStore>().Should().BeOfType<ReferralRewardStore<ShopDbContext>>();
        scope.ServiceProvider.GetRequiredService<IReviewStore>().Should().BeOfType<ReviewStore<ShopDbContext>>();
    }

    [Fact]
    public void Referral_stores_registered_before_win_over_the_entity_framework_ones()
    {
        var services = new ServiceCollection();
        services.AddLoyalty().AddInMemoryReferralStores().UseEntityFrameworkCore<LoyaltyDbContext>();

        using var provider = services.BuildServiceProvider();
        var store = provider.GetRequiredService<InMemoryReferralStore>();
        foreach (var type in ReferralStoreTypes)
        {
            provider.GetRequiredService(type).Should().BeSameAs(store);
        }
    }

    [Fact]
    public void Stores_registered_before_win_over_the_entity_framework_ones()
    {
        var services = new ServiceCollection();
        services.AddLoyalty().UseInMemoryStores().UseEntityFrameworkCore<LoyaltyDbContext>();

        using var provider = services.BuildServiceProvider();
        var store = provider.GetRequiredService<InMemoryLoyaltyStore>();
        foreach (var type in StoreTypes)
        {
            provider.GetRequiredService(type).Should().BeSameAs(store);
        }
    }
}
