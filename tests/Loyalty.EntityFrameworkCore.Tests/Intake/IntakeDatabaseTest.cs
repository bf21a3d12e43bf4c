using Loyalty.EntityFrameworkCore.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Loyalty.EntityFrameworkCore.Tests.Intake;

/// <summary>
/// A batched-intake test class on one real database (SQLite or PostgreSQL, chosen by the concrete class): the schema is
/// created and the intake tables emptied before each test.
/// </summary>
public abstract class IntakeDatabaseTest : IAsyncLifetime
{
    protected static readonly DateTimeOffset Now = Loyalty.Tests.Shared.BatchIntakeEvents.Now;

    protected abstract void UseDatabase(DbContextOptionsBuilder options);

    public async Task InitializeAsync()
    {
        await using var context = NewContext();
        await context.Database.EnsureCreatedAsync();
        if (context.Database.IsNpgsql())
        {
            await context.Database.ExecuteSqlRawAsync("TRUNCATE loyalty_processed_events, loyalty_customers, loyalty_customer_orders, loyalty_scheduled_steps, loyalty_suppressions");
        }
        else
        {
            await context.ProcessedEvents.ExecuteDeleteAsync();
            await context.Customers.ExecuteDeleteAsync();
            await context.CustomerOrders.ExecuteDeleteAsync();
            await context.ScheduledSteps.ExecuteDeleteAsync();
        }
    }

    public Task DisposeAsync() => Task.CompletedTask;

    protected LoyaltyDbContext NewContext(params IInterceptor[] interceptors)
    {
        var options = new DbContextOptionsBuilder<LoyaltyDbContext>();
        UseDatabase(options);
        if (interceptors.Length > 0)
        {
            options.AddInterceptors(interceptors);
        }

        return new LoyaltyDbContext(options.Options);
    }
}
