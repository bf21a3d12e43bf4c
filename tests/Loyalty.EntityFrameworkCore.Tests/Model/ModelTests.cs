using Loyalty.EntityFrameworkCore.Stores;
using Loyalty.EntityFrameworkCore.Tests.Infrastructure;
using Loyalty.Stores;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using static Loyalty.EntityFrameworkCore.Tests.Infrastructure.Records;

namespace Loyalty.EntityFrameworkCore.Tests.Model;

/// <summary>A shop context that puts Loyalty's tables in their own schema with its own prefix.</summary>
public sealed class CrmDbContext(DbContextOptions<CrmDbContext> options) : DbContext(options)
{
    protected override void OnModelCreating(ModelBuilder modelBuilder) =>
        modelBuilder.AddLoyalty(new LoyaltyModelOptions { Schema = "crm", TablePrefix = "Crm_" });
}

public sealed class ModelTests(PostgresDatabase database) : IClassFixture<PostgresDatabase>
{
    [Fact]
    public void Tables_and_columns_are_snake_case_with_the_default_prefix()
    {
        using var context = new LoyaltyDbContext(new DbContextOptionsBuilder<LoyaltyDbContext>().UseSqlite("Data Source=:memory:").Options);
        var steps = context.Model.FindEntityType(typeof(ScheduledStep))!;

        steps.GetTableName().Should().Be("loyalty_scheduled_steps");
        steps.FindProperty(nameof(ScheduledStep.AvailableAt))!.GetColumnName().Should().Be("available_at");
        context.Model.GetEntityTypes().Select(e => e.GetTableName()).Should().BeEquivalentTo(
            [
                "loyalty_processed_events", "loyalty_customers", "loyalty_customer_orders", "loyalty_scheduled_steps", "loyalty_suppressions",
                "loyalty_referral_codes", "loyalty_referral_visits", "loyalty_referral_attributions", "loyalty_referral_rewards",
                "loyalty_referral_fraud_decisions", "loyalty_share_events", "loyalty_review_requests", "loyalty_product_reviews",
                "loyalty_customer_fingerprints",
            ]);
    }

    [Fact]
    public void The_claim_index_covers_only_active_rows_and_versions_guard_concurrent_writes()
    {
        using var context = new LoyaltyDbContext(new DbContextOptionsBuilder<LoyaltyDbContext>().UseSqlite("Data Source=:memory:").Options);
        var steps = context.Model.FindEntityType(typeof(ScheduledStep))!;

        var claim = steps.GetIndexes().Single(i => i.GetDatabaseName() == "loyalty_ix_scheduled_steps_claim");
        claim.Properties.Select(p => p.Name).Should().Equal(nameof(ScheduledStep.AvailableAt));
        claim.GetFilter().Should().Be("state IN (0, 1)");
        steps.GetIndexes().Should().Contain(i => i.IsUnique && i.Properties.Single().Name == nameof(ScheduledStep.DedupeKey));
        steps.FindProperty(nameof(ScheduledStep.Version))!.IsConcurrencyToken.Should().BeTrue();
        context.Model.FindEntityType(typeof(LoyaltyCustomer))!.FindProperty(nameof(LoyaltyCustomer.Version))!.IsConcurrencyToken.Should().BeTrue();
        steps.FindProperty(nameof(ScheduledStep.AvailableAt))!.GetTypeMapping().Converter!.ProviderClrType.Should().Be<long>();
    }

    [Fact]
    public async Task A_custom_schema_and_prefix_work_end_to_end_on_PostgreSQL()
    {
        var options = new DbContextOptionsBuilder<CrmDbContext>().UseNpgsql(database.ConnectionString).Options;
        await using (var setup = new CrmDbContext(options))
        {
            await setup.Database.EnsureCreatedAsync();
            setup.Model.FindEntityType(typeof(ScheduledStep))!.GetSchemaQualifiedTableName().Should().Be("crm.Crm_scheduled_steps");
        }

        await using var context = new CrmDbContext(options);
        var step = Step("k1", T0);
        (await new IntakeStore<CrmDbContext>(context).CommitAsync(Schedule("e1", step), default)).Should().Be(IntakeCommitResult.Committed);
        var steps = new ScheduledStepStore<CrmDbContext>(context);

        (await steps.ClaimDueAsync(T0, 10, "w", TimeSpan.FromMinutes(1), default)).Should().ContainSingle().Which.Id.Should().Be(step.Id);
        (await steps.ClaimByIdAsync(step.Id, T0.AddMinutes(1), "w2", TimeSpan.FromMinutes(1), default))!.LeaseOwner.Should().Be("w2");
    }
}
