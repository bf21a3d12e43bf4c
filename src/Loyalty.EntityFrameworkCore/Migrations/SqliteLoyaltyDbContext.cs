using Microsoft.EntityFrameworkCore;

namespace Loyalty.EntityFrameworkCore;

/// <summary>
/// <see cref="LoyaltyDbContext"/> on SQLite, with the migrations this package ships for it
/// (<c>Migrations/Sqlite</c>): <c>await context.Database.MigrateAsync()</c> creates and upgrades the schema.
/// Register it with <c>AddDbContext&lt;SqliteLoyaltyDbContext&gt;(o =&gt; o.UseSqlite(...))</c> and
/// <c>UseEntityFrameworkCore&lt;SqliteLoyaltyDbContext&gt;()</c>.
/// </summary>
public sealed class SqliteLoyaltyDbContext : LoyaltyDbContext
{
    /// <summary>Creates the context.</summary>
    public SqliteLoyaltyDbContext(DbContextOptions<SqliteLoyaltyDbContext> options)
        : base(options)
    {
    }
}
