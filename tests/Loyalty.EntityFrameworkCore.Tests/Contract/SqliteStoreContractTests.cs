using Loyalty.EntityFrameworkCore.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Loyalty.EntityFrameworkCore.Tests.Contract;

public sealed class SqliteStoreContractTests(SqliteDatabase database) : StoreContractTests, IClassFixture<SqliteDatabase>
{
    private readonly DbContextOptions<LoyaltyDbContext> _options =
        new DbContextOptionsBuilder<LoyaltyDbContext>().UseSqlite(database.ConnectionString).Options;

    protected override StoreSession OpenSession() => StoreSession.Over(new LoyaltyDbContext(_options));

    protected override async Task ResetAsync()
    {
        await using var context = new LoyaltyDbContext(_options);
        await context.Database.EnsureCreatedAsync();
        await context.ProcessedEvents.ExecuteDeleteAsync();
        await context.Customers.ExecuteDeleteAsync();
        await context.CustomerOrders.ExecuteDeleteAsync();
        await context.ScheduledSteps.ExecuteDeleteAsync();
        await context.Suppressions.ExecuteDeleteAsync();
    }
}
