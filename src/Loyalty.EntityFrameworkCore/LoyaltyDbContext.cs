using Loyalty.Stores;
using Microsoft.EntityFrameworkCore;

namespace Loyalty.EntityFrameworkCore;

/// <summary>
/// A DbContext holding only Loyalty's tables, for shops that do not bring their own. On SQLite and PostgreSQL use
/// <see cref="SqliteLoyaltyDbContext"/> or <see cref="PostgreSqlLoyaltyDbContext"/>, which come with migrations
/// (<c>Database.MigrateAsync()</c>); on other providers create the schema with <c>Database.EnsureCreatedAsync()</c>.
/// A shop that has a DbContext calls <c>modelBuilder.AddLoyalty()</c> in it instead, so an order and its loyalty
/// event commit together.
/// </summary>
public class LoyaltyDbContext : DbContext
{
    /// <summary>Creates the context.</summary>
    public LoyaltyDbContext(DbContextOptions<LoyaltyDbContext> options)
        : base(options)
    {
    }

    /// <summary>For derived contexts.</summary>
    protected LoyaltyDbContext(DbContextOptions options)
        : base(options)
    {
    }

    /// <summary>Accepted events.</summary>
    public DbSet<ProcessedEvent> ProcessedEvents => Set<ProcessedEvent>();

    /// <summary>Customers.</summary>
    public DbSet<LoyaltyCustomer> Customers => Set<LoyaltyCustomer>();

    /// <summary>Customers' orders.</summary>
    public DbSet<CustomerOrder> CustomerOrders => Set<CustomerOrder>();

    /// <summary>Scheduled steps.</summary>
    public DbSet<ScheduledStep> ScheduledSteps => Set<ScheduledStep>();

    /// <summary>Suppressed addresses.</summary>
    public DbSet<Suppression> Suppressions => Set<Suppression>();

    /// <inheritdoc />
    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        base.OnModelCreating(modelBuilder);
        modelBuilder.AddLoyalty();
    }
}
