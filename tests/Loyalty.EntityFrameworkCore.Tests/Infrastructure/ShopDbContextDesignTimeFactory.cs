using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace Loyalty.EntityFrameworkCore.Tests.Infrastructure;

/// <summary>
/// Lets <c>dotnet ef migrations add</c> build <see cref="ShopDbContext"/> on PostgreSQL, as a shop's project would:
/// the migrations under Migrations/ are the shop-migration route of the README, generated for real.
/// </summary>
public sealed class ShopDbContextDesignTimeFactory : IDesignTimeDbContextFactory<ShopDbContext>
{
    public ShopDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<ShopDbContext>().UseNpgsql("Host=localhost;Database=shop").Options);
}
