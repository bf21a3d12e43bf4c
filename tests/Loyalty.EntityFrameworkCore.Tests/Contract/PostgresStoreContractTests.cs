using Loyalty.EntityFrameworkCore.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Loyalty.EntityFrameworkCore.Tests.Contract;

public sealed class PostgresStoreContractTests(PostgresDatabase database) : StoreContractTests, IClassFixture<PostgresDatabase>
{
    private readonly DbContextOptions<LoyaltyDbContext> _options =
        new DbContextOptionsBuilder<LoyaltyDbContext>().UseNpgsql(database.ConnectionString).Options;

    protected override StoreSession OpenSession() => StoreSession.Over(new LoyaltyDbContext(_options));

    protected override async Task ResetAsync()
    {
        await using var context = new LoyaltyDbContext(_options);
        await context.Database.EnsureCreatedAsync();
        await context.Database.ExecuteSqlRawAsync(
            "TRUNCATE loyalty_processed_events, loyalty_customers, loyalty_customer_orders, loyalty_scheduled_steps, loyalty_suppressions");
    }
}
