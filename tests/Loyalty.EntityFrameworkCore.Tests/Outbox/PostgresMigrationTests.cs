using Loyalty.EntityFrameworkCore.Stores;
using Loyalty.EntityFrameworkCore.Tests.Infrastructure;
using Loyalty.Stores;
using Microsoft.EntityFrameworkCore;
using static Loyalty.EntityFrameworkCore.Tests.Infrastructure.Records;

namespace Loyalty.EntityFrameworkCore.Tests.Outbox;

/// <summary>
/// The shop-migration route: Migrations/ holds what <c>dotnet ef migrations add AddLoyalty</c> generated for
/// <see cref="ShopDbContext"/> on PostgreSQL after it called <c>modelBuilder.AddLoyalty()</c>.
/// </summary>
public sealed class PostgresMigrationTests(PostgresDatabase database) : IClassFixture<PostgresDatabase>
{
    private ShopDbContext NewContext() => new(new DbContextOptionsBuilder<ShopDbContext>().UseNpgsql(database.ConnectionString).Options);

    [Fact]
    public async Task The_shops_generated_migration_creates_a_schema_the_stores_work_on()
    {
        await using (var context = NewContext())
        {
            await context.Database.MigrateAsync();
            context.Database.HasPendingModelChanges().Should().BeFalse("the migration matches the model AddLoyalty builds");
            var claimIndex = await context.Database
                .SqlQueryRaw<string>("SELECT indexdef AS \"Value\" FROM pg_indexes WHERE indexname = 'loyalty_ix_scheduled_steps_claim'")
                .SingleAsync();
            claimIndex.Should().Contain("(available_at) WHERE (state = ANY (ARRAY[0, 1]))");
        }

        await using var shop = NewContext();
        var step = Step("k1", T0);
        (await new IntakeStore<ShopDbContext>(shop).CommitAsync(Schedule("e1", step), default)).Should().Be(IntakeCommitResult.Committed);
        (await new ScheduledStepStore<ShopDbContext>(shop).ClaimDueAsync(T0, 10, "w", TimeSpan.FromMinutes(1), default))
            .Should().ContainSingle().Which.Id.Should().Be(step.Id);
    }
}
