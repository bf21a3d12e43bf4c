using Microsoft.EntityFrameworkCore;

namespace Loyalty.Storefront.Data;

/// <summary>A customer as the shop keeps it.</summary>
public sealed class ShopCustomer
{
    public required string Id { get; set; }

    public required string Email { get; set; }

    public required string Name { get; set; }

    public string Locale { get; set; } = "en";

    public string TimeZone { get; set; } = "UTC";

    public bool MarketingConsent { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
}

/// <summary>An order as the shop keeps it; its lines are JSON (a sample, not a warehouse).</summary>
public sealed class ShopOrder
{
    public required string Id { get; set; }

    public required string CustomerId { get; set; }

    public DateTimeOffset PlacedAt { get; set; }

    public required string Currency { get; set; }

    public decimal Total { get; set; }

    public string Status { get; set; } = "placed";

    public DateTimeOffset? DeliveredAt { get; set; }

    public DateTimeOffset? RefundedAt { get; set; }

    public string? ReferralCode { get; set; }

    public required string LinesJson { get; set; }
}

/// <summary>A review a customer wrote.</summary>
public sealed class ShopReview
{
    public required string Id { get; set; }

    public required string CustomerId { get; set; }

    public string? OrderId { get; set; }

    public required string Sku { get; set; }

    public int Rating { get; set; }

    public string? Text { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
}

/// <summary>A credit Loyalty asked the shop to issue (through <see cref="Shop.StorefrontCreditIssuer"/>), once per key.</summary>
public sealed class ShopCredit
{
    public required string IdempotencyKey { get; set; }

    public required string CustomerId { get; set; }

    public required string Kind { get; set; }

    public decimal Amount { get; set; }

    public required string Currency { get; set; }

    public required string Code { get; set; }

    public string? Reason { get; set; }

    public DateTimeOffset IssuedAt { get; set; }
}

/// <summary>The shop's own tables and Loyalty's, in one context: an order and its loyalty event commit together.</summary>
public sealed class StorefrontDbContext(DbContextOptions<StorefrontDbContext> options) : DbContext(options)
{
    public DbSet<ShopCustomer> ShopCustomers => Set<ShopCustomer>();

    public DbSet<ShopOrder> ShopOrders => Set<ShopOrder>();

    public DbSet<ShopReview> ShopReviews => Set<ShopReview>();

    public DbSet<ShopCredit> ShopCredits => Set<ShopCredit>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<ShopCustomer>(e =>
        {
            e.ToTable("shop_customers");
            e.HasKey(x => x.Id);
        });
        modelBuilder.Entity<ShopOrder>(e =>
        {
            e.ToTable("shop_orders");
            e.HasKey(x => x.Id);
            e.Property(x => x.Total).HasPrecision(19, 4);
            e.HasIndex(x => x.CustomerId);
        });
        modelBuilder.Entity<ShopReview>(e =>
        {
            e.ToTable("shop_reviews");
            e.HasKey(x => x.Id);
            e.HasIndex(x => x.CustomerId);
        });
        modelBuilder.Entity<ShopCredit>(e =>
        {
            e.ToTable("shop_credits");
            e.HasKey(x => x.IdempotencyKey);
            e.Property(x => x.Amount).HasPrecision(19, 4);
            e.HasIndex(x => x.CustomerId);
        });

        // DateTimeOffset as UTC ticks (SQLite cannot order DateTimeOffset in SQL), like Loyalty's own tables.
        foreach (var entity in modelBuilder.Model.GetEntityTypes())
        {
            foreach (var property in entity.GetProperties())
            {
                if ((Nullable.GetUnderlyingType(property.ClrType) ?? property.ClrType) == typeof(DateTimeOffset))
                {
                    property.SetValueConverter(new Microsoft.EntityFrameworkCore.Storage.ValueConversion.ValueConverter<DateTimeOffset, long>(
                        v => v.UtcTicks, v => new DateTimeOffset(v, TimeSpan.Zero)));
                }
            }
        }

        modelBuilder.AddLoyalty();
    }
}
