using Loyalty.Storefront.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Storage;

namespace Loyalty.Storefront.Shop;

/// <summary>
/// Runs first when the app starts: creates the database and its tables when missing, switches SQLite to WAL so
/// pages read while workers write, and seeds four customers (en, zh-TW, zh-CN, th) with marketing consent.
/// </summary>
public sealed class StorefrontInitializer(IServiceProvider services, ILogger<StorefrontInitializer> logger) : IHostedService
{
    public static IReadOnlyList<CustomerInput> SeedCustomers { get; } =
    [
        new("alice", "alice@example.com", "Alice Chen", "en", "Europe/London", true),
        new("mei", "mei@example.com", "Mei Lin", "zh-TW", "Asia/Taipei", true),
        new("wei", "wei@example.com", "Wei Wang", "zh-CN", "Asia/Shanghai", true),
        new("somchai", "somchai@example.com", "Somchai Jaidee", "th", "Asia/Bangkok", true),
    ];

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<StorefrontDbContext>();
        await CreateTablesAsync(db, cancellationToken);
        if (db.Database.IsSqlite())
        {
            await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", cancellationToken);
        }

        var shop = scope.ServiceProvider.GetRequiredService<ShopService>();
        foreach (var customer in SeedCustomers)
        {
            if (await db.ShopCustomers.FindAsync([customer.Id!], cancellationToken) is null)
            {
                await shop.UpsertCustomerAsync(customer, "storefront-seed", cancellationToken);
            }
        }

        logger.LogInformation("Storefront database ready; {Count} seeded customers.", SeedCustomers.Count);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>
    /// EnsureCreated skips a database that has any table, and on PostgreSQL Hangfire may have made its schema first
    /// (its storage installs it when created): so the shop's tables are probed and created when they are missing.
    /// </summary>
    private static async Task CreateTablesAsync(StorefrontDbContext db, CancellationToken cancellationToken)
    {
        if (await db.Database.EnsureCreatedAsync(cancellationToken))
        {
            return;
        }

        try
        {
            _ = await db.ShopCustomers.AnyAsync(cancellationToken);
        }
        catch (System.Data.Common.DbException)
        {
            await db.GetService<IRelationalDatabaseCreator>().CreateTablesAsync(cancellationToken);
        }
    }
}
