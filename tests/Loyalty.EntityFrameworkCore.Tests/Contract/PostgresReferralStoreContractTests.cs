using Loyalty.EntityFrameworkCore.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Loyalty.EntityFrameworkCore.Tests.Contract;

public sealed class PostgresReferralStoreContractTests(PostgresDatabase database) : ReferralStoreContractTests, IClassFixture<PostgresDatabase>
{
    private readonly DbContextOptions<LoyaltyDbContext> _options =
        new DbContextOptionsBuilder<LoyaltyDbContext>().UseNpgsql(database.ConnectionString).Options;

    protected override ReferralStoreSession OpenSession() => ReferralStoreSession.Over(new LoyaltyDbContext(_options));

    protected override async Task ResetAsync()
    {
        await using var context = new LoyaltyDbContext(_options);
        await context.Database.EnsureCreatedAsync();
        await context.Database.ExecuteSqlRawAsync(
            "TRUNCATE loyalty_referral_codes, loyalty_referral_visits, loyalty_referral_attributions, loyalty_referral_rewards, " +
            "loyalty_referral_fraud_decisions, loyalty_share_events, loyalty_review_requests, loyalty_product_reviews, loyalty_customer_fingerprints");
    }
}
