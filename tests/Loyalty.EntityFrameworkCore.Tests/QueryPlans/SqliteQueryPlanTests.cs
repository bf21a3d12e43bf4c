using Loyalty.EntityFrameworkCore.Stores;
using Loyalty.EntityFrameworkCore.Tests.Infrastructure;
using Loyalty.Stores;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Xunit.Abstractions;
using static Loyalty.EntityFrameworkCore.Tests.Infrastructure.Records;

namespace Loyalty.EntityFrameworkCore.Tests.QueryPlans;

/// <summary>The claim and the step dedupe on SQLite, over 50,000 steps: searched through their indexes, never scanned.</summary>
public sealed class SqliteQueryPlanTests(SqliteDatabase database, ITestOutputHelper output) : IClassFixture<SqliteDatabase>, IAsyncLifetime
{
    private const int Rows = 50_000;
    private readonly CapturedCommands _captured = new();

    private LoyaltyDbContext NewContext() => new(new DbContextOptionsBuilder<LoyaltyDbContext>()
        .UseSqlite(database.ConnectionString)
        .AddInterceptors(_captured)
        .Options);

    public async Task InitializeAsync()
    {
        await using var context = NewContext();
        await context.Database.EnsureCreatedAsync();
        var t = T0.UtcTicks;
        var seed =
            $"""
            WITH RECURSIVE g(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM g WHERE n < {Rows})
            INSERT INTO loyalty_scheduled_steps (id, dedupe_key, flow_id, step_index, customer_id, trigger_event_id, trigger_occurred_at,
                event_json, category, priority, due_at, available_at, state, attempts, created_at, updated_at, completed_at, version)
              SELECT printf('%08X-0000-0000-0000-000000000000', n), 'check-in:0:c' || (n % 5000) || ':seed-' || n, 'check-in', 0, 'c' || (n % 5000),
                'seed-' || n, {t}, '[]', 'marketing', 0, {t} + n * {TimeSpan.TicksPerSecond}, {t} + n * {TimeSpan.TicksPerSecond},
                CASE WHEN n % 20 = 0 THEN 0 ELSE 2 END, 0, {t}, {t}, NULL, 0
              FROM g;
            ANALYZE;
            """;
        await context.Database.ExecuteSqlRawAsync(seed);
    }

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task The_claim_and_the_step_dedupe_search_their_indexes()
    {
        await using (var context = NewContext())
        {
            _captured.Clear();
            (await new ScheduledStepStore<LoyaltyDbContext>(context).ClaimDueAsync(T0.AddSeconds(Rows + 1), 100, "worker", TimeSpan.FromMinutes(5), default))
                .Should().HaveCount(100);
        }

        var claim = _captured.Commands.First(c => c.Sql.StartsWith("SELECT", StringComparison.Ordinal));

        await using (var context = NewContext())
        {
            _captured.Clear();
            (await new IntakeStore<LoyaltyDbContext>(context).CommitAsync(Schedule("new-event", Step("check-in:0:c42:seed-42", T0)), default))
                .Should().Be(IntakeCommitResult.Committed);
        }

        var dedupe = _captured.Commands.Single(c => c.Sql.Contains("dedupe_key", StringComparison.Ordinal) && c.Sql.StartsWith("SELECT", StringComparison.Ordinal));

        var claimPlan = await ExplainAsync(claim);
        var dedupePlan = await ExplainAsync(dedupe);
        output.WriteLine($"{claim.Sql}\n{claimPlan}\n\n{dedupe.Sql}\n{dedupePlan}");

        claimPlan.Should().Contain("USING INDEX loyalty_ix_scheduled_steps_claim").And.NotContain("SCAN");
        dedupePlan.Should().Contain("loyalty_ux_scheduled_steps_dedupe_key").And.NotContain("SCAN");
    }

    private async Task<string> ExplainAsync(CapturedCommand captured)
    {
        await using var connection = new SqliteConnection(database.ConnectionString);
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "EXPLAIN QUERY PLAN " + captured.Sql;
        foreach (var p in captured.Parameters)
        {
            command.Parameters.AddWithValue(p.ParameterName, p.Value ?? DBNull.Value);
        }

        var lines = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            lines.Add(reader.GetString(3));
        }

        return string.Join(Environment.NewLine, lines);
    }
}
