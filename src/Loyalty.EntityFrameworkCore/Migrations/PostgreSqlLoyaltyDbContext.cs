using Microsoft.EntityFrameworkCore;

namespace Loyalty.EntityFrameworkCore;

/// <summary>
/// <see cref="LoyaltyDbContext"/> on PostgreSQL, with the migrations this package ships for it
/// (<c>Migrations/PostgreSql</c>): <c>await context.Database.MigrateAsync()</c> creates and upgrades the schema.
/// Register it with <c>AddDbContext&lt;PostgreSqlLoyaltyDbContext&gt;(o =&gt; o.UseNpgsql(...))</c> and
/// <c>UseEntityFrameworkCore&lt;PostgreSqlLoyaltyDbContext&gt;()</c>.
/// </summary>
public sealed class PostgreSqlLoyaltyDbContext : LoyaltyDbContext
{
    /// <summary>Creates the context.</summary>
    public PostgreSqlLoyaltyDbContext(DbContextOptions<PostgreSqlLoyaltyDbContext> options)
        : base(options)
    {
    }
}
