using Loyalty.EntityFrameworkCore.Stores;
using Loyalty.EntityFrameworkCore.Tests.Infrastructure;
using Loyalty.Stores;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using static Loyalty.EntityFrameworkCore.Tests.Infrastructure.Records;

namespace Loyalty.EntityFrameworkCore.Tests.Stores;

/// <summary>
/// On PostgreSQL the group writes keep the context's connection open and prepare their statement on it, unless the
/// shop turned preparation off (a pooler that drops prepared statements between transactions).
/// </summary>
public sealed class PostgresGroupWriteConnectionTests(PostgresDatabase database) : IClassFixture<PostgresDatabase>, IAsyncLifetime
{
    private static readonly CancellationToken None = CancellationToken.None;
    private readonly DbContextOptions<LoyaltyDbContext> _options =
        new DbContextOptionsBuilder<LoyaltyDbContext>().UseNpgsql(database.ConnectionString).Options;

    public async Task InitializeAsync()
    {
        await using var context = new LoyaltyDbContext(_options);
        await context.Database.EnsureCreatedAsync();
        await context.Database.ExecuteSqlRawAsync("TRUNCATE loyalty_processed_events, loyalty_scheduled_steps");
    }

    public Task DisposeAsync() => Task.CompletedTask;

    [Theory]
    [InlineData(true, 1)]
    [InlineData(false, 0)]
    public async Task Group_writes_keep_the_connection_open_and_prepare_their_statement_unless_told_not_to(bool prepare, int preparedStatements)
    {
        await using var context = new LoyaltyDbContext(_options);
        var steps = new ScheduledStepStore<LoyaltyDbContext>(context, Options.Create(new LoyaltyEntityFrameworkCoreOptions { PrepareStatements = prepare }));
        await new IntakeStore<LoyaltyDbContext>(context).CommitAsync(Schedule("e1", Step("k1", T0, customerId: "c1"), Step("k2", T0, customerId: "c2"), Step("k3", T0, customerId: "c3")), None);
        var claimed = (await steps.ClaimDueAsync(T0, 3, "worker-a", TimeSpan.FromMinutes(5), None)).OrderBy(s => s.DedupeKey, StringComparer.Ordinal).ToList();
        foreach (var step in claimed)
        {
            step.State = StepState.Sent;
            step.LeaseOwner = null;
        }

        (await steps.TryUpdateManyAsync([new StepUpdate(claimed[0], claimed[0].Version), new StepUpdate(claimed[1], claimed[1].Version)], None)).Should().Equal(true, true);
        var backend = await BackendPidAsync(context);
        (await steps.TryUpdateManyAsync([new StepUpdate(claimed[2], claimed[2].Version)], None)).Should().Equal(true);

        context.Database.GetDbConnection().State.Should().Be(System.Data.ConnectionState.Open, "the group writes keep their connection");
        (await BackendPidAsync(context)).Should().Be(backend, "every group went out on the one connection");
        // One statement per group size: two rows, then one.
        (await context.Database.SqlQueryRaw<long>("SELECT count(*) AS \"Value\" FROM pg_prepared_statements").SingleAsync()).Should().Be(preparedStatements * 2);
        (await context.Set<ScheduledStep>().CountAsync(s => s.State == StepState.Sent)).Should().Be(3);
    }

    private static Task<int> BackendPidAsync(DbContext context) =>
        context.Database.SqlQueryRaw<int>("SELECT pg_backend_pid() AS \"Value\"").SingleAsync();
}
