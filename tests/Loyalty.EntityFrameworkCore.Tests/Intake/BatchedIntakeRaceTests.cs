using System.Data.Common;
using Loyalty.EntityFrameworkCore.Stores;
using Loyalty.EntityFrameworkCore.Tests.Infrastructure;
using Loyalty.Stores;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Loyalty.EntityFrameworkCore.Tests.Intake;

/// <summary>
/// <see cref="IntakeStore{TContext}.CommitManyAsync"/> when another writer inserts one of the batch's keys after the
/// store's checks and before its write (just before the store begins its transaction): the write fails on the unique
/// key, nothing of the batch stays, and the next round answers from what the database then holds.
/// </summary>
public abstract class BatchedIntakeRaceTests : IntakeDatabaseTest
{
    [Fact]
    public async Task A_step_key_taken_after_the_checks_is_left_out_on_the_retry_and_the_rest_is_written()
    {
        var otherId = Guid.NewGuid();
        var race = new RaceInterceptor(async () =>
        {
            await using var other = NewContext();
            other.ScheduledSteps.Add(Step("k1", "other-event", otherId));
            await other.SaveChangesAsync();
        });
        await using var context = NewContext(race);

        var results = await new IntakeStore<LoyaltyDbContext>(context).CommitManyAsync([Set("e1", "c1", "k1"), Set("e2", "c2", "k2")], default);

        results.Should().Equal(IntakeCommitResult.Committed, IntakeCommitResult.Committed);
        race.Fired.Should().Be(1);
        context.ChangeTracker.Entries().Should().BeEmpty();
        await using var check = NewContext();
        (await check.ProcessedEvents.Select(e => e.EventId).OrderBy(e => e).ToListAsync()).Should().Equal("e1", "e2");
        (await check.Customers.OrderBy(c => c.CustomerId).Select(c => c.Version).ToListAsync()).Should().Equal(1, 1);
        var steps = await check.ScheduledSteps.OrderBy(s => s.DedupeKey).ToListAsync();
        steps.Select(s => s.DedupeKey).Should().Equal("k1", "k2");
        steps[0].Id.Should().Be(otherId);
        steps[0].TriggerEventId.Should().Be("other-event");
        steps[1].TriggerEventId.Should().Be("e2");
        steps[1].DueAt.Should().Be(Now.AddDays(1));
    }

    [Fact]
    public async Task An_event_recorded_after_the_checks_makes_the_batch_a_duplicate_and_writes_nothing_of_it()
    {
        var race = new RaceInterceptor(async () =>
        {
            await using var other = NewContext();
            other.ProcessedEvents.Add(new ProcessedEvent { EventId = "e2", EventType = "order-placed", CustomerId = "elsewhere", OccurredAt = Now, ReceivedAt = Now });
            await other.SaveChangesAsync();
        });
        await using var context = NewContext(race);

        var results = await new IntakeStore<LoyaltyDbContext>(context).CommitManyAsync([Set("e1", "c1", "k1"), Set("e2", "c2", "k2")], default);

        results.Should().Equal(IntakeCommitResult.Conflict, IntakeCommitResult.DuplicateEvent);
        race.Fired.Should().Be(1);
        await using var check = NewContext();
        (await check.ProcessedEvents.Select(e => e.CustomerId).ToListAsync()).Should().Equal("elsewhere");
        (await check.Customers.CountAsync()).Should().Be(0);
        (await check.ScheduledSteps.CountAsync()).Should().Be(0);
    }

    private static IntakeChangeSet Set(string eventId, string customerId, string stepKey)
    {
        var set = new IntakeChangeSet
        {
            Customer = new LoyaltyCustomer { CustomerId = customerId, Email = customerId + "@example.test", NormalizedEmail = customerId + "@example.test", OrderCount = 1, CreatedAt = Now, UpdatedAt = Now },
        };
        set.Events.Add(new ProcessedEvent { EventId = eventId, EventType = "order-placed", CustomerId = customerId, OccurredAt = Now, ReceivedAt = Now });
        set.Orders.Add(new CustomerOrder { CustomerId = customerId, OrderId = "o-" + eventId, PlacedAt = Now, Currency = "TWD", Total = 12.5m, Skus = "tea-1" });
        set.Steps.Add(Step(stepKey, eventId, Guid.NewGuid(), customerId));
        return set;
    }

    private static ScheduledStep Step(string key, string eventId, Guid id, string customerId = "c1") => new()
    {
        Id = id, DedupeKey = key, FlowId = "welcome", CustomerId = customerId, TriggerEventId = eventId, TriggerOccurredAt = Now,
        EventJson = "{}", Category = "marketing", DueAt = Now.AddDays(1), AvailableAt = Now.AddDays(1), CreatedAt = Now, UpdatedAt = Now,
    };

    /// <summary>Runs the other writer once, when the store first begins its write transaction.</summary>
    private sealed class RaceInterceptor(Func<Task> otherWriter) : DbTransactionInterceptor
    {
        public int Fired { get; private set; }

        public override async ValueTask<InterceptionResult<DbTransaction>> TransactionStartingAsync(
            DbConnection connection, TransactionStartingEventData eventData, InterceptionResult<DbTransaction> result, CancellationToken cancellationToken = default)
        {
            if (Fired == 0)
            {
                Fired++;
                await otherWriter();
            }

            return result;
        }
    }
}

public sealed class SqliteBatchedIntakeRaceTests(SqliteDatabase database) : BatchedIntakeRaceTests, IClassFixture<SqliteDatabase>
{
    protected override void UseDatabase(DbContextOptionsBuilder options) => options.UseSqlite(database.ConnectionString);
}

public sealed class PostgresBatchedIntakeRaceTests(PostgresDatabase database) : BatchedIntakeRaceTests, IClassFixture<PostgresDatabase>
{
    protected override void UseDatabase(DbContextOptionsBuilder options) => options.UseNpgsql(database.ConnectionString);
}
