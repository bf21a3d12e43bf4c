using Loyalty.EntityFrameworkCore.Referrals;
using Loyalty.EntityFrameworkCore.Stores;
using Loyalty.EntityFrameworkCore.Tests.Infrastructure;
using Loyalty.Stores;
using Microsoft.EntityFrameworkCore;
using static Loyalty.EntityFrameworkCore.Tests.Infrastructure.Records;

namespace Loyalty.EntityFrameworkCore.Tests.Model;

/// <summary>The migrations the package ships for its own context, per provider.</summary>
public abstract class ShippedMigrationsTests<TContext> : IAsyncLifetime
    where TContext : LoyaltyDbContext
{
    protected abstract TContext CreateContext();

    public async Task InitializeAsync()
    {
        await using var context = CreateContext();
        await context.Database.MigrateAsync();
    }

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task The_shipped_migrations_match_the_model_and_the_stores_work_on_them()
    {
        await using var context = CreateContext();
        context.Database.HasPendingModelChanges().Should().BeFalse();
        (await context.Database.GetAppliedMigrationsAsync()).Select(m => m[(m.IndexOf('_', StringComparison.Ordinal) + 1)..])
            .Should().Equal("InitialLoyalty", "AddReferrals");

        var step = Step("k1", T0);
        (await new IntakeStore<TContext>(context).CommitAsync(Schedule("e1", step), default)).Should().Be(IntakeCommitResult.Committed);
        (await new ScheduledStepStore<TContext>(context).ClaimDueAsync(T0, 10, "w", TimeSpan.FromMinutes(1), default))
            .Should().ContainSingle().Which.Id.Should().Be(step.Id);
        (await new ReferralCodeStore<TContext>(context).TryAddAsync(new ReferralCode { Code = "ANN123", CustomerId = "c1", CreatedAt = T0 }, default))
            .Should().Be(ReferralCodeAddResult.Added);
        (await new ReferralCodeStore<TContext>(context).TryAddAsync(new ReferralCode { Code = "ANN999", CustomerId = "c1", CreatedAt = T0 }, default))
            .Should().Be(ReferralCodeAddResult.CustomerHasGeneratedCode, "the unique index on generated codes is in the migration");
    }
}

public sealed class SqliteShippedMigrationsTests(SqliteDatabase database)
    : ShippedMigrationsTests<SqliteLoyaltyDbContext>, IClassFixture<SqliteDatabase>
{
    protected override SqliteLoyaltyDbContext CreateContext() =>
        new(new DbContextOptionsBuilder<SqliteLoyaltyDbContext>().UseSqlite(database.ConnectionString).Options);
}

public sealed class PostgreSqlShippedMigrationsTests(PostgresDatabase database)
    : ShippedMigrationsTests<PostgreSqlLoyaltyDbContext>, IClassFixture<PostgresDatabase>
{
    protected override PostgreSqlLoyaltyDbContext CreateContext() =>
        new(new DbContextOptionsBuilder<PostgreSqlLoyaltyDbContext>().UseNpgsql(database.ConnectionString).Options);
}
