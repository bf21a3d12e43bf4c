using System.Text;
using Loyalty.EntityFrameworkCore.Stores;
using Loyalty.EntityFrameworkCore.Tests.Infrastructure;
using Loyalty.Stores;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using Xunit.Abstractions;
using static Loyalty.EntityFrameworkCore.Tests.Infrastructure.Records;

namespace Loyalty.EntityFrameworkCore.Tests.QueryPlans;

/// <summary>
/// Seeds 50,000 rows into each Loyalty table on PostgreSQL and EXPLAINs the SQL the stores actually run: every
/// hot query must use an index, never scan a whole table, so its cost does not grow with the table.
/// </summary>
public sealed class PostgresQueryPlanTests(PostgresDatabase database, ITestOutputHelper output)
    : IClassFixture<PostgresDatabase>, IAsyncLifetime
{
    private const int Rows = 50_000;
    private static readonly long Tick = TimeSpan.TicksPerSecond;
    private readonly CapturedCommands _captured = new();

    private LoyaltyDbContext NewContext() => new(new DbContextOptionsBuilder<LoyaltyDbContext>()
        .UseNpgsql(database.ConnectionString)
        .AddInterceptors(_captured)
        .Options);

    public async Task InitializeAsync()
    {
        await using var context = NewContext();
        await context.Database.EnsureCreatedAsync();
        var t = T0.UtcTicks;
        // 5% of the steps are active (Scheduled), the rest finished (Sent): the shape of a table after months.
        var seed =
            $"""
            INSERT INTO loyalty_processed_events (event_id, event_type, customer_id, occurred_at, received_at)
              SELECT 'seed-' || g, 'OrderPlaced', 'c' || (g % 5000), {t}, {t} FROM generate_series(1, {Rows}) g;
            INSERT INTO loyalty_customers (customer_id, email, normalized_email, order_count, created_at, updated_at, version)
              SELECT 'c' || g, 'c' || g || '@example.com', 'c' || g || '@example.com', 10, {t}, {t}, 1 FROM generate_series(0, {Rows - 1}) g;
            INSERT INTO loyalty_customer_orders (customer_id, order_id, placed_at, currency, total, status, skus)
              SELECT 'c' || (g % 5000), 'o' || g, {t} + g::bigint * {Tick}, 'TWD', 100, 0, 'SKU' FROM generate_series(1, {Rows}) g;
            INSERT INTO loyalty_scheduled_steps (id, dedupe_key, flow_id, step_index, customer_id, trigger_event_id, trigger_occurred_at,
                event_json, category, priority, due_at, available_at, state, attempts, created_at, updated_at, completed_at, version)
              SELECT gen_random_uuid(), 'check-in:0:c' || (g % 5000) || ':seed-' || g, 'check-in', 0, 'c' || (g % 5000), 'seed-' || g, {t},
                '[]', 'marketing', 0, {t} + g::bigint * {Tick}, {t} + g::bigint * {Tick}, CASE WHEN g % 20 = 0 THEN 0 ELSE 2 END, 0, {t}, {t},
                CASE WHEN g % 20 = 0 THEN NULL ELSE {t} + g::bigint * {Tick} END, 0
              FROM generate_series(1, {Rows}) g;
            INSERT INTO loyalty_suppressions (normalized_email, category, reason, created_at)
              SELECT 'c' || g || '@example.com', 'marketing', 'unsubscribed', {t} FROM generate_series(1, {Rows}) g;
            ANALYZE;
            """;
        await context.Database.ExecuteSqlRawAsync(seed);
    }

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task Every_hot_query_of_the_stores_uses_an_index_on_tables_of_fifty_thousand_rows()
    {
        var plans = new List<(string Operation, string Sql, string Plan)>();
        async Task Explain(string operation, Func<LoyaltyDbContext, Task> run)
        {
            await using var context = NewContext();
            _captured.Clear();
            await run(context);
            foreach (var command in _captured.Commands.Where(c => !c.Sql.Contains("INSERT", StringComparison.Ordinal)).ToList())
            {
                plans.Add((operation, command.Sql, await ExplainAsync(command)));
            }
        }

        var now = T0.AddSeconds(Rows + 1);
        var stepId = Guid.Empty;
        await Explain("intake: dedupe of events, customer version, orders, step keys", async c =>
        {
            var changes = Schedule("new-event", Step("check-in:0:c42:new-event", now, customerId: "c42", triggerEventId: "new-event"), Step("check-in:0:c42:seed-42", now, customerId: "c42"));
            changes.Events.Add(Event("seed-43", "c42", "MilestoneReached"));
            changes.Customer = Customer("c42", "c42@example.com");
            changes.ExpectedCustomerVersion = 1;
            changes.Orders.Add(Order("o42", "c42"));
            (await new IntakeStore<LoyaltyDbContext>(c).CommitAsync(changes, default)).Should().Be(IntakeCommitResult.Committed);
        });
        await Explain("claim of due steps", async c =>
        {
            var claimed = await new ScheduledStepStore<LoyaltyDbContext>(c).ClaimDueAsync(now, 100, "worker", TimeSpan.FromMinutes(5), default);
            claimed.Should().HaveCount(100);
            stepId = claimed[0].Id;
        });
        await Explain("claim by id", async c =>
            await new ScheduledStepStore<LoyaltyDbContext>(c).ClaimByIdAsync(Guid.NewGuid(), now, "worker", TimeSpan.FromMinutes(5), default));
        await Explain("guarded transition", async c =>
        {
            var store = new ScheduledStepStore<LoyaltyDbContext>(c);
            var step = (await store.FindAsync(stepId, default))!;
            step.State = StepState.Sent;
            (await store.TryUpdateAsync(step, step.Version, default)).Should().BeTrue();
        });
        await Explain("frequency cap: a customer's sends since", async c =>
            await new ScheduledStepStore<LoyaltyDbContext>(c).QueryAsync(new StepQuery { CustomerId = "c42", CompletedSince = T0 }, default));
        await Explain("a customer's active steps", async c =>
            await new ScheduledStepStore<LoyaltyDbContext>(c).QueryAsync(new StepQuery { CustomerId = "c42", State = StepState.Scheduled }, default));
        await Explain("event processed?", async c => await new ProcessedEventStore<LoyaltyDbContext>(c).IsProcessedAsync("seed-77", default));
        await Explain("customer and orders", async c =>
        {
            var customers = new CustomerStore<LoyaltyDbContext>(c);
            await customers.FindByIdAsync("c77", default);
            await customers.GetOrdersAsync("c77", default);
        });
        await Explain("suppressions of an address", async c => await new SuppressionStore<LoyaltyDbContext>(c).GetAsync("c77@example.com", default));
        // A dispatch batch: 100 customers spread over the table.
        var batch = Enumerable.Range(1, 100).Select(i => "c" + (i * 37)).ToList();
        await Explain("batch: customers", async c =>
            (await new CustomerStore<LoyaltyDbContext>(c).FindByIdsAsync(batch, default)).Should().HaveCount(100));
        await Explain("batch: orders", async c =>
            (await new CustomerStore<LoyaltyDbContext>(c).GetOrdersAsync(batch, default)).Values.Sum(o => o.Count).Should().Be(1000));
        await Explain("batch: suppressions", async c =>
            (await new SuppressionStore<LoyaltyDbContext>(c).GetAsync(batch.Select(id => id + "@example.com").ToList(), default)).Values.Should().OnlyContain(l => l.Count == 1));

        var report = new StringBuilder();
        foreach (var (operation, sql, plan) in plans)
        {
            report.Append("-- ").AppendLine(operation).AppendLine(sql).AppendLine(plan).AppendLine();
        }

        output.WriteLine(report.ToString());
        await File.WriteAllTextAsync(Path.Combine(AppContext.BaseDirectory, "postgres-query-plans.txt"), report.ToString());

        plans.Should().OnlyContain(p => !p.Plan.Contains("Seq Scan", StringComparison.Ordinal), "no hot query may read a whole table");
        plans.Should().OnlyContain(p => p.Plan.Contains("Index", StringComparison.Ordinal), "every hot query goes through an index");
        PlanOf("claim of due steps").Should().Contain("Index Scan using loyalty_ix_scheduled_steps_claim");
        PlansOf("intake").Should().Contain(p => p.Contains("loyalty_ux_scheduled_steps_dedupe_key", StringComparison.Ordinal));
        PlansOf("intake").Should().Contain(p => p.Contains("PK_loyalty_processed_events", StringComparison.Ordinal));
        PlanOf("a customer's active steps").Should().Contain("loyalty_ix_scheduled_steps_customer_state");
        PlanOf("batch: customers").Should().Contain("PK_loyalty_customers");
        PlanOf("batch: orders").Should().Contain("PK_loyalty_customer_orders");
        PlanOf("batch: suppressions").Should().Contain("PK_loyalty_suppressions");

        IEnumerable<string> PlansOf(string operation) => plans.Where(p => p.Operation.StartsWith(operation, StringComparison.Ordinal)).Select(p => p.Plan);
        string PlanOf(string operation) => PlansOf(operation).Single();
    }

    private async Task<string> ExplainAsync(CapturedCommand captured)
    {
        await using var connection = new NpgsqlConnection(database.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("EXPLAIN " + captured.Sql, connection);
        command.Parameters.AddRange(captured.Parameters.ToArray());
        var lines = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            lines.Add(reader.GetString(0));
        }

        return string.Join(Environment.NewLine, lines);
    }
}
