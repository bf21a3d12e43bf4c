using Loyalty.EntityFrameworkCore.Tests.Infrastructure;
using Loyalty.Stores;
using Microsoft.EntityFrameworkCore;

namespace Loyalty.EntityFrameworkCore.Tests.Contract;

public sealed class SqliteReferralStoreContractTests(SqliteDatabase database) : ReferralStoreContractTests, IClassFixture<SqliteDatabase>
{
    private readonly DbContextOptions<LoyaltyDbContext> _options =
        new DbContextOptionsBuilder<LoyaltyDbContext>().UseSqlite(database.ConnectionString).Options;

    protected override ReferralStoreSession OpenSession() => ReferralStoreSession.Over(new LoyaltyDbContext(_options));

    protected override async Task ResetAsync()
    {
        await using var context = new LoyaltyDbContext(_options);
        await context.Database.EnsureCreatedAsync();
        await context.Set<ReferralCode>().ExecuteDeleteAsync();
        await context.Set<ReferralVisit>().ExecuteDeleteAsync();
        await context.Set<ReferralAttribution>().ExecuteDeleteAsync();
        await context.Set<ReferralReward>().ExecuteDeleteAsync();
        await context.Set<ReferralFraudDecision>().ExecuteDeleteAsync();
        await context.Set<ShareEvent>().ExecuteDeleteAsync();
        await context.Set<ReviewRequest>().ExecuteDeleteAsync();
        await context.Set<ProductReview>().ExecuteDeleteAsync();
        await context.Set<CustomerFingerprint>().ExecuteDeleteAsync();
    }
}
