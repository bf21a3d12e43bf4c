using Loyalty.EntityFrameworkCore.Stores;
using Loyalty.EntityFrameworkCore.Tests.Infrastructure;
using Loyalty.Email.Flows;
using Loyalty.Email.Milestones;
using Loyalty.Email.Scheduling;
using Loyalty.Events;
using Loyalty.Publishing;
using Loyalty.Stores;
using Loyalty.Validation;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using static Loyalty.Tests.Shared.BatchIntakeEvents;

namespace Loyalty.EntityFrameworkCore.Tests.Intake;

/// <summary>
/// <see cref="ILoyaltyPublisher.PublishManyAsync"/> over the EF stores on a real database: one transaction per batch,
/// with the outcome of publishing the events one by one.
/// </summary>
public abstract class BatchedPublishTests : IntakeDatabaseTest
{
    [Fact]
    public async Task A_mixed_batch_leaves_the_same_rows_and_results_as_publishing_one_by_one()
    {
        var events = MixedEvents();
        var oneByOne = new List<PublishResult>();
        await using (var host = Host())
        {
            foreach (var e in events)
            {
                oneByOne.Add(await host.PublishAsync(e));
            }
        }

        var expected = await SnapshotAsync();
        await InitializeAsync();
        IReadOnlyList<PublishResult> batched;
        await using (var host = Host())
        {
            batched = await host.PublishManyAsync(events);
        }

        batched.Select(Shape).Should().Equal(oneByOne.Select(Shape));
        batched.Should().Contain(r => r.Milestones.Contains("order-count-2"));
        (await SnapshotAsync()).Should().BeEquivalentTo(expected, o => o.WithStrictOrdering());
    }

    [Fact]
    public async Task Two_orders_of_a_new_customer_reach_the_first_then_the_second_order_milestone_in_one_transaction()
    {
        await using var host = Host();
        var results = await host.PublishManyAsync([Order("e1", "new", "o1"), Order("e2", "new", "o2")]);

        results.Select(r => string.Join(",", r.Milestones)).Should().Equal(MilestoneDetector.FirstOrder, "order-count-2");
        await using var context = NewContext();
        var customer = await context.Customers.SingleAsync(c => c.CustomerId == "new");
        customer.OrderCount.Should().Be(2);
        customer.Version.Should().Be(2);
        (await context.ProcessedEvents.Select(e => e.EventId).OrderBy(e => e).ToListAsync())
            .Should().Equal("e1", "e2", "milestone:new:first-order", "milestone:new:order-count-2");
    }

    [Fact]
    public async Task An_invalid_event_refuses_the_batch_and_writes_nothing()
    {
        await using var host = Host();
        var publish = () => host.PublishManyAsync([Order("e1", "c1", "o1"), Order("e2", "c1", "o2") with { Lines = [] }]);

        (await publish.Should().ThrowAsync<EventValidationException>()).Which.Problems.Should().OnlyContain(p => p.Field.StartsWith("events[1].", StringComparison.Ordinal));
        await using var context = NewContext();
        (await context.ProcessedEvents.CountAsync()).Should().Be(0);
        (await context.Customers.CountAsync()).Should().Be(0);
        (await context.ScheduledSteps.CountAsync()).Should().Be(0);
    }

    [Fact]
    public async Task Event_ids_repeated_in_the_batch_or_accepted_before_are_duplicates()
    {
        await using var host = Host();
        await host.PublishAsync(Order("old", "c1", "o1"));

        var results = await host.PublishManyAsync([Order("e2", "c1", "o2"), Order("old", "c1", "o1"), Order("e2", "c1", "o3"), Order("e3", "c2", "o4")]);

        results.Select(r => r.Accepted).Should().Equal(true, false, false, true);
        results[0].Milestones.Should().Equal("order-count-2");
        await using var context = NewContext();
        (await context.CustomerOrders.Where(o => o.CustomerId == "c1").Select(o => o.OrderId).OrderBy(o => o).ToListAsync()).Should().Equal("o1", "o2");
        (await context.Customers.SingleAsync(c => c.CustomerId == "c1")).Version.Should().Be(2);
    }

    [Fact]
    public async Task A_batch_over_the_limit_is_refused()
    {
        await using var host = Host(max: 2);
        var publish = () => host.PublishManyAsync([Order("e1", "c1", "o1"), Order("e2", "c2", "o2"), Order("e3", "c3", "o3")]);

        await publish.Should().ThrowAsync<ArgumentException>();
        await using var context = NewContext();
        (await context.ProcessedEvents.CountAsync()).Should().Be(0);
    }

    [Fact]
    public async Task A_customer_another_writer_changes_during_the_batch_is_read_again_and_the_batch_retried()
    {
        var meddler = new Meddler(times: 1);
        await using var host = Host(meddler: meddler);
        await host.PublishAsync(Order("e0", "c1", "o0"));

        var results = await host.PublishManyAsync([Order("e1", "c2", "o1"), Order("e2", "c1", "o2")]);

        results.Should().OnlyContain(r => r.Accepted);
        results[1].Milestones.Should().BeEmpty("the retry counted the other writer's order: this is the third");
        meddler.Batches.Should().Be(2);
        await using var context = NewContext();
        var c1 = await context.Customers.SingleAsync(c => c.CustomerId == "c1");
        c1.OrderCount.Should().Be(3);
        c1.Version.Should().Be(3);
    }

    [Fact]
    public async Task A_customer_that_keeps_changing_gives_up_with_nothing_of_the_batch_written()
    {
        var meddler = new Meddler(times: int.MaxValue);
        await using var host = Host(meddler: meddler);
        await host.PublishAsync(Order("e0", "c1", "o0"));

        var publish = () => host.PublishManyAsync([Order("e1", "c2", "o1"), Order("e2", "c1", "o2")]);

        (await publish.Should().ThrowAsync<InvalidOperationException>()).Which.Message.Should().Contain("gave up");
        await using var context = NewContext();
        (await context.ProcessedEvents.AnyAsync(e => e.EventId == "e1" || e.EventId == "e2")).Should().BeFalse();
        (await context.Customers.AnyAsync(c => c.CustomerId == "c2")).Should().BeFalse();
    }

    private async Task<object> SnapshotAsync()
    {
        await using var context = NewContext();
        var customers = (await context.Customers.AsNoTracking().ToListAsync()).OrderBy(c => c.CustomerId, StringComparer.Ordinal).ToList();
        var orders = (await context.CustomerOrders.AsNoTracking().ToListAsync()).OrderBy(o => o.CustomerId, StringComparer.Ordinal).ThenBy(o => o.OrderId, StringComparer.Ordinal).ToList();
        var events = (await context.ProcessedEvents.AsNoTracking().ToListAsync()).OrderBy(e => e.EventId, StringComparer.Ordinal).ToList();
        var steps = (await context.ScheduledSteps.AsNoTracking().ToListAsync())
            .Select(s => new { s.DedupeKey, s.FlowId, s.StepIndex, s.CustomerId, s.TriggerEventId, s.TriggerKey, s.DueAt, s.AvailableAt, s.State, s.Category, s.Priority, s.EventJson })
            .OrderBy(s => s.DedupeKey, StringComparer.Ordinal).ToList();
        customers.Should().NotBeEmpty();
        steps.Should().NotBeEmpty();
        return new { customers, orders, events, steps };
    }

    private static object Shape(PublishResult r) => new { r.Accepted, Steps = r.ScheduledStepIds.Count, Milestones = string.Join(",", r.Milestones) };

    private static List<LoyaltyEvent> MixedEvents() =>
    [
        Order("m1", "c1", "o1"),
        Order("m2", "c2", "o2"),
        Order("m3", "c1", "o3"),
        new OrderDelivered { EventId = "m4", OccurredAt = Now, CustomerId = "c1", OrderId = "o1" },
        Issue("m5", "c2", "i1"),
        new OrderDelivered { EventId = "m6", OccurredAt = Now, CustomerId = "c2", OrderId = "o2" },
        Order("m1", "c1", "o1"),
        new OrderRefunded { EventId = "m7", OccurredAt = Now, CustomerId = "c1", OrderId = "o3" },
        new CustomEvent { EventId = "m8", OccurredAt = Now, CustomerId = "c3", Name = "newsletter-opened" },
        Order("m9", "c2", "o4"),
        new MilestoneReached { EventId = "m10", OccurredAt = Now, CustomerId = "c1", Milestone = "first-order" },
    ];

    private PublisherHost Host(int max = 1_000, Meddler? meddler = null)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<TimeProvider>(new FakeTimeProvider(Now));
        services.AddSingleton<IImmediateStepQueue, NoQueue>();
        services.AddDbContext<LoyaltyDbContext>(UseDatabase);
        services.Configure<MilestoneOptions>(o => o.OrderCounts.Add(2));
        services.AddLoyalty()
            .AddEmail(e => e
                .Configure(o => o.MaxPublishBatchSize = max)
                .AddFlow("receipt", f => f.On(EventTypes.OrderPlaced).Transactional().Send("service-recovery-apology"))
                .AddFlow("welcome", f => f.On(EventTypes.MilestoneReached).WhenMilestone(MilestoneDetector.FirstOrder).Reenter(FlowReentry.OnceEver).Marketing().Wait(TimeSpan.FromDays(1)).Send("milestone-congratulation"))
                .AddFlow("second", f => f.On(EventTypes.MilestoneReached).WhenMilestone("order-count-2").Marketing().Send("milestone-congratulation"))
                .AddFlow("nudge", f => f.On(EventTypes.OrderPlaced).Reenter(FlowReentry.WithCooldown(TimeSpan.FromDays(7))).Marketing().Wait(TimeSpan.FromDays(3)).Send("milestone-congratulation"))
                .AddFlow("apology", f => f.On(EventTypes.ServiceIssueDetected).Transactional().Send("service-recovery-apology"))
                .AddFlow("review", f => f.On(EventTypes.OrderDelivered).When(new BuiltInFlowCondition(BuiltInCondition.HasOpenServiceIssue)).Transactional().Send("service-recovery-apology")))
            .UseEntityFrameworkCore<LoyaltyDbContext>();
        if (meddler is not null)
        {
            services.AddScoped<IIntakeStore>(sp => new MeddlingIntake(new IntakeStore<LoyaltyDbContext>(sp.GetRequiredService<LoyaltyDbContext>()), meddler, () => NewContext()));
        }

        return new PublisherHost(services.BuildServiceProvider());
    }

    private sealed class PublisherHost(ServiceProvider services) : IAsyncDisposable
    {
        public async Task<PublishResult> PublishAsync(LoyaltyEvent e)
        {
            await using var scope = services.CreateAsyncScope();
            return await scope.ServiceProvider.GetRequiredService<ILoyaltyPublisher>().PublishAsync(e);
        }

        public async Task<IReadOnlyList<PublishResult>> PublishManyAsync(IReadOnlyList<LoyaltyEvent> events)
        {
            await using var scope = services.CreateAsyncScope();
            return await scope.ServiceProvider.GetRequiredService<ILoyaltyPublisher>().PublishManyAsync(events);
        }

        public ValueTask DisposeAsync() => services.DisposeAsync();
    }

    private sealed class NoQueue : IImmediateStepQueue
    {
        public void Enqueue(Guid stepId)
        {
        }
    }

    private sealed class Meddler(int times)
    {
        public int Times { get; } = times;

        public int Batches { get; set; }
    }

    /// <summary>Another writer that places an order for c1, through its own context, before each of the first batch commits.</summary>
    private sealed class MeddlingIntake(IIntakeStore inner, Meddler meddler, Func<LoyaltyDbContext> newContext) : IIntakeStore
    {
        public Task<IntakeCommitResult> CommitAsync(IntakeChangeSet changes, CancellationToken cancellationToken) => inner.CommitAsync(changes, cancellationToken);

        public async Task<IReadOnlyList<IntakeCommitResult>> CommitManyAsync(IReadOnlyList<IntakeChangeSet> changeSets, CancellationToken cancellationToken)
        {
            meddler.Batches++;
            if (meddler.Batches <= meddler.Times)
            {
                await using var context = newContext();
                var current = await new CustomerStore<LoyaltyDbContext>(context).FindByIdAsync("c1", cancellationToken);
                var other = new IntakeChangeSet { ExpectedCustomerVersion = current!.Version, Customer = current };
                current.OrderCount++;
                other.Orders.Add(new CustomerOrder { CustomerId = "c1", OrderId = $"other-{meddler.Batches}", PlacedAt = Now.AddDays(-1), Currency = "TWD", Total = 1m, Skus = "" });
                other.Events.Add(new ProcessedEvent { EventId = $"other-{meddler.Batches}", EventType = EventTypes.OrderPlaced, CustomerId = "c1", OccurredAt = Now, ReceivedAt = Now });
                (await new IntakeStore<LoyaltyDbContext>(context).CommitAsync(other, cancellationToken)).Should().Be(IntakeCommitResult.Committed);
            }

            return await inner.CommitManyAsync(changeSets, cancellationToken);
        }
    }
}

public sealed class SqliteBatchedPublishTests(SqliteDatabase database) : BatchedPublishTests, IClassFixture<SqliteDatabase>
{
    protected override void UseDatabase(DbContextOptionsBuilder options) => options.UseSqlite(database.ConnectionString);
}

public sealed class PostgresBatchedPublishTests(PostgresDatabase database) : BatchedPublishTests, IClassFixture<PostgresDatabase>
{
    protected override void UseDatabase(DbContextOptionsBuilder options) => options.UseNpgsql(database.ConnectionString);
}
