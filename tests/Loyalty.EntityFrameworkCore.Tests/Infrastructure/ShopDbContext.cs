using Microsoft.EntityFrameworkCore;

namespace Loyalty.EntityFrameworkCore.Tests.Infrastructure;

/// <summary>An order as a shop keeps it in its own table.</summary>
public sealed class ShopOrder
{
    public required string Id { get; set; }

    public decimal Total { get; set; }
}

/// <summary>A shop's own DbContext that hosts Loyalty's tables next to its orders.</summary>
public sealed class ShopDbContext(DbContextOptions<ShopDbContext> options) : DbContext(options)
{
    public DbSet<ShopOrder> Orders => Set<ShopOrder>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<ShopOrder>(e =>
        {
            e.ToTable("shop_orders");
            e.HasKey(o => o.Id);
            e.Property(o => o.Total).HasPrecision(19, 4);
        });
        modelBuilder.AddLoyalty();
    }
}
