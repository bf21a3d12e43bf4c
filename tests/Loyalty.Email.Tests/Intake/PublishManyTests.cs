using Loyalty.Email.Flows;
using Loyalty.Email.Milestones;
using Loyalty.Email.Scheduling;
using Loyalty.Email.Stores.InMemory;
using Loyalty.Events;
using Loyalty.Publishing;
using Loyalty.Stores;
using Loyalty.Validation;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using static Loyalty.Tests.Shared.BatchIntakeEvents;

namespace Loyalty.Email.Tests.Intake;

/// <summary>Batched intake (<see cref="ILoyaltyPublisher.PublishManyAsync"/>) over the in-memory store.</summary>
public sealed class PublishManyTests
{
    [Fact]
    public async Task A_mixed_batch_leaves_the_same_rows_and_results_as_publishing_one_by_one()
    {
        var events = MixedEvents();
        await using var single = new Intake();
        var oneByOne = new List<PublishResult>();
        foreach (var e in events)
        {
            oneByOne.Add(await single.PublishAsync(e));
        }

        await using var batched = new Intake();
        var results = await batched.PublishManyAsync(events);

        results.Select(Shape).Should().Equal(oneByOne.Select(Shape));
        results.Should().Contain(r => r.Milestones.Contains("order-count-2"), "the batch's orders of one customer count up");
        results.Should().Contain(r => r.Accepted && r.ScheduledStepIds.Count == 0 && r.Milestones.Count == 0, "the cool-down left the second order out of the flow");
        (await batched.SnapshotAsync(events)).Should().BeEquivalentTo(await single.SnapshotAsync(events), o => o.WithStrictOrdering());
        batched.Immediate.Count.Should().Be(single.Immediate.Count).And.BeGreaterThan(0);
        batched.Observed.Should().Equal(single.Observed);
    }

    [Fact]
    public async Task Two_orders_of_a_new_customer_reach_the_first_then_the_second_order_milestone()
    {
        await using var intake = new Intake();
        var results = await intake.PublishManyAsync([Order("e1", "new", "o1"), Order("e2", "new", "o2")]);

        results.Select(r => r.Milestones).Should().BeEquivalentTo(new[] { new[] { MilestoneDetector.FirstOrder }, new[] { "order-count-2" } }, o => o.WithStrictOrdering());
        var customer = await intake.Store.FindByIdAsync("new", default);
        customer!.OrderCount.Should().Be(2);
        customer.Version.Should().Be(2, "two events changed it, as two publishes would");
        (await intake.Store.IsProcessedAsync(MilestoneDetector.EventIdFor("new", "order-count-2"), default)).Should().BeTrue();
    }

    [Fact]
    public async Task An_invalid_event_refuses_the_whole_batch_naming_its_index_and_writes_nothing()
    {
        await using var intake = new Intake();
        var bad = Order("e2", "c1", "o2") with { Currency = "" };

        var publish = () => intake.PublishManyAsync([Order("e1", "c1", "o1"), bad, Order("e3", "c2", "o3")]);

        var refused = (await publish.Should().ThrowAsync<EventValidationException>()).Which;
        refused.EventId.Should().Be("e2");
        refused.Problems.Should().NotBeEmpty().And.OnlyContain(p => p.Field.StartsWith("events[1].", StringComparison.Ordinal));
        (await intake.Store.IsProcessedAsync("e1", default)).Should().BeFalse();
        (await intake.Store.FindByIdAsync("c1", default)).Should().BeNull();
        (await intake.Store.QueryAsync(new StepQuery(), default)).Should().BeEmpty();
        intake.Observed.Should().BeEmpty();
    }

    [Fact]
    public async Task An_event_id_repeated_in_the_batch_or_accepted_before_is_a_duplicate()
    {
        await using var intake = new Intake();
        await intake.PublishAsync(Order("old", "c1", "o1"));

        var results = await intake.PublishManyAsync([Order("old", "c1", "o1"), Order("e2", "c1", "o2"), Order("e2", "c1", "o3"), Order("e3", "c2", "o4")]);

        results.Select(r => r.Accepted).Should().Equal(false, true, false, true);
        results[0].Should().BeSameAs(PublishResult.Duplicate);
        results[2].Should().BeSameAs(PublishResult.Duplicate);
        results[1].Milestones.Should().Equal("order-count-2");
        (await intake.Store.GetOrdersAsync("c1", default)).Select(o => o.OrderId).Should().Equal("o1", "o2");
        intake.Observed.Should().Equal("old", "e2", "e3");
    }

    [Fact]
    public async Task A_batch_over_the_limit_is_refused_before_anything_is_written()
    {
        await using var intake = new Intake(max: 3);
        var events = Enumerable.Range(1, 4).Select(i => (LoyaltyEvent)Order($"e{i}", $"c{i}", $"o{i}")).ToList();

        var publish = () => intake.PublishManyAsync(events);

        (await publish.Should().ThrowAsync<ArgumentException>()).Which.Message.Should().Contain("MaxPublishBatchSize");
        (await intake.Store.IsProcessedAsync("e1", default)).Should().BeFalse();
        (await intake.PublishManyAsync(events.Take(3).ToList())).Should().OnlyContain(r => r.Accepted);
    }

    [Fact]
    public async Task A_customer_changed_during_the_batch_is_read_again_and_the_batch_retried()
    {
        await using var intake = new Intake(meddle: 1);
        var results = await intake.PublishManyAsync([Order("e1", "c1", "o1"), Order("e2", "c2", "o2")]);

        results.Should().OnlyContain(r => r.Accepted);
        results[0].Milestones.Should().Equal(["order-count-2"], "the retry saw the order another writer added meanwhile");
        intake.Meddler!.Attempts.Should().Be(2);
        (await intake.Store.FindByIdAsync("c1", default))!.OrderCount.Should().Be(2);
    }

    [Fact]
    public async Task A_customer_that_keeps_changing_gives_up_with_a_clear_error_and_nothing_of_the_batch_written()
    {
        await using var intake = new Intake(meddle: int.MaxValue);

        var publish = () => intake.PublishManyAsync([Order("e1", "c1", "o1"), Order("e2", "c2", "o2")]);

        (await publish.Should().ThrowAsync<InvalidOperationException>()).Which.Message.Should().Contain("c1").And.Contain("gave up");
        (await intake.Store.IsProcessedAsync("e1", default)).Should().BeFalse();
        (await intake.Store.IsProcessedAsync("e2", default)).Should().BeFalse();
        intake.Observed.Should().BeEmpty();
    }

    [Fact]
    public async Task The_default_store_batch_commits_one_set_at_a_time_and_stops_at_the_first_refusal()
    {
        var store = new InMemoryLoyaltyStore();
        IIntakeStore plain = new OneByOneIntake(store);
        var first = Set("e1", "c1", null);
        var stale = Set("e2", "c2", 5);
        var after = Set("e3", "c3", null);

        var results = await plain.CommitManyAsync([first, stale, after], default);

        results.Should().Equal(IntakeCommitResult.Committed, IntakeCommitResult.Conflict, IntakeCommitResult.Conflict);
        (await store.IsProcessedAsync("e1", default)).Should().BeTrue();
        (await store.IsProcessedAsync("e3", default)).Should().BeFalse("a set after a refusal may have counted on it");
    }

    private static object Shape(PublishResult r) => new { r.Accepted, Steps = r.ScheduledStepIds.Count, Milestones = string.Join(",", r.Milestones) };

    private static IntakeChangeSet Set(string eventId, string customerId, int? expected)
    {
        var set = new IntakeChangeSet { ExpectedCustomerVersion = expected, Customer = new LoyaltyCustomer { CustomerId = customerId, Email = "a@b.example", NormalizedEmail = "a@b.example" } };
        set.Events.Add(new ProcessedEvent { EventId = eventId, EventType = EventTypes.OrderPlaced, CustomerId = customerId, OccurredAt = Now, ReceivedAt = Now });
        return set;
    }

    private static List<LoyaltyEvent> MixedEvents() =>
    [
        Order("m1", "c1", "o1"),
        Order("m2", "c2", "o2"),
        Order("m3", "c1", "o3"),
        new OrderDelivered { EventId = "m4", OccurredAt = Now, CustomerId = "c1", OrderId = "o1" },
        Issue("m5", "c2", "i1"),
        new OrderDelivered { EventId = "m6", OccurredAt = Now, CustomerId = "c2", OrderId = "o2" },
        Order("m1", "c1", "o1"),
        Issue("m7", "c2", "i1"),
        new CustomEvent { EventId = "m8", OccurredAt = Now, CustomerId = "c3", Name = "newsletter-opened" },
        Order("m9", "c2", "o4"),
        new MilestoneReached { EventId = "m10", OccurredAt = Now, CustomerId = "c1", Milestone = "first-order" },
    ];

    /// <summary>The publisher over a fresh in-memory store, with flows that exercise every kind of planning.</summary>
    private sealed class Intake : IAsyncDisposable
    {
        private readonly ServiceProvider _services;

        public Intake(int max = 1_000, int meddle = 0)
        {
            var services = new ServiceCollection();
            services.AddLogging();
            services.AddSingleton<TimeProvider>(new FakeTimeProvider(Now));
            services.AddSingleton(Store);
            services.AddSingleton<IImmediateStepQueue>(new RecordingQueue(Immediate));
            services.AddSingleton<ILoyaltyEventObserver>(new RecordingObserver(Observed));
            if (meddle > 0)
            {
                Meddler = new MeddlingIntake(Store, meddle);
                services.AddSingleton<IIntakeStore>(Meddler);
            }

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
                .UseInMemoryStores();
            _services = services.BuildServiceProvider();
        }

        public InMemoryLoyaltyStore Store { get; } = new();

        public List<Guid> Immediate { get; } = [];

        public List<string> Observed { get; } = [];

        public MeddlingIntake? Meddler { get; }

        public async Task<PublishResult> PublishAsync(LoyaltyEvent e)
        {
            await using var scope = _services.CreateAsyncScope();
            return await scope.ServiceProvider.GetRequiredService<ILoyaltyPublisher>().PublishAsync(e);
        }

        public async Task<IReadOnlyList<PublishResult>> PublishManyAsync(IReadOnlyList<LoyaltyEvent> events)
        {
            await using var scope = _services.CreateAsyncScope();
            return await scope.ServiceProvider.GetRequiredService<ILoyaltyPublisher>().PublishManyAsync(events);
        }

        /// <summary>Every row the events could have left, without the generated step ids.</summary>
        public async Task<object> SnapshotAsync(IEnumerable<LoyaltyEvent> events)
        {
            var customerIds = events.Select(e => e.CustomerId).Distinct().Order(StringComparer.Ordinal).ToList();
            var customers = new List<LoyaltyCustomer?>();
            var orders = new List<CustomerOrder>();
            var processed = new List<string>();
            foreach (var id in customerIds)
            {
                customers.Add(await Store.FindByIdAsync(id, default));
                orders.AddRange(await Store.GetOrdersAsync(id, default));
                foreach (var candidate in events.Select(e => e.EventId).Concat(new[] { "first-order", "order-count-2" }.Select(m => MilestoneDetector.EventIdFor(id, m))).Distinct())
                {
                    if (await Store.IsProcessedAsync(candidate, default))
                    {
                        processed.Add(candidate);
                    }
                }
            }

            var steps = (await Store.QueryAsync(new StepQuery { Take = 1000 }, default))
                .Select(s => new { s.DedupeKey, s.FlowId, s.StepIndex, s.CustomerId, s.TriggerEventId, s.TriggerKey, s.DueAt, s.State, s.Category, s.EventJson })
                .OrderBy(s => s.DedupeKey, StringComparer.Ordinal).ToList();
            return new { customers, orders, processed, steps };
        }

        public ValueTask DisposeAsync() => _services.DisposeAsync();
    }

    private sealed class RecordingQueue(List<Guid> ids) : IImmediateStepQueue
    {
        public void Enqueue(Guid stepId) => ids.Add(stepId);
    }

    private sealed class RecordingObserver(List<string> ids) : ILoyaltyEventObserver
    {
        public Task OnAcceptedAsync(LoyaltyEvent loyaltyEvent, CancellationToken cancellationToken)
        {
            ids.Add(loyaltyEvent.EventId);
            return Task.CompletedTask;
        }
    }

    /// <summary>Another writer that adds an order of c1 just before each of the first <c>times</c> batch commits.</summary>
    private sealed class MeddlingIntake(InMemoryLoyaltyStore store, int times) : IIntakeStore
    {
        public int Attempts { get; private set; }

        public Task<IntakeCommitResult> CommitAsync(IntakeChangeSet changes, CancellationToken cancellationToken) => store.CommitAsync(changes, cancellationToken);

        public async Task<IReadOnlyList<IntakeCommitResult>> CommitManyAsync(IReadOnlyList<IntakeChangeSet> changeSets, CancellationToken cancellationToken)
        {
            Attempts++;
            if (Attempts <= times)
            {
                var current = await store.FindByIdAsync("c1", cancellationToken);
                var other = new IntakeChangeSet { ExpectedCustomerVersion = current?.Version };
                var customer = current ?? new LoyaltyCustomer { CustomerId = "c1", Email = "c1@example.test", NormalizedEmail = "c1@example.test", CreatedAt = Now };
                customer.OrderCount++;
                other.Customer = customer;
                other.Orders.Add(new CustomerOrder { CustomerId = "c1", OrderId = $"other-{Attempts}", PlacedAt = Now.AddDays(-1), Currency = "TWD", Total = 1m });
                other.Events.Add(new ProcessedEvent { EventId = $"other-{Attempts}", EventType = EventTypes.OrderPlaced, CustomerId = "c1", OccurredAt = Now, ReceivedAt = Now });
                (await store.CommitAsync(other, cancellationToken)).Should().Be(IntakeCommitResult.Committed);
            }

            return await store.CommitManyAsync(changeSets, cancellationToken);
        }
    }

    /// <summary>A store that leaves CommitManyAsync to the interface's default.</summary>
    private sealed class OneByOneIntake(InMemoryLoyaltyStore store) : IIntakeStore
    {
        public Task<IntakeCommitResult> CommitAsync(IntakeChangeSet changes, CancellationToken cancellationToken) => store.CommitAsync(changes, cancellationToken);
    }
}
