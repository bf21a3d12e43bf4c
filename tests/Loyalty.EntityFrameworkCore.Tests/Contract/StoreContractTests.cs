using Loyalty.EntityFrameworkCore.Tests.Infrastructure;
using Loyalty.Stores;
using static Loyalty.EntityFrameworkCore.Tests.Infrastructure.Records;

namespace Loyalty.EntityFrameworkCore.Tests.Contract;

/// <summary>
/// What every implementation of Loyalty's stores must do, run against each of them. Every test starts from
/// empty stores.
/// </summary>
public abstract partial class StoreContractTests : IAsyncLifetime
{
    private static readonly TimeSpan Lease = TimeSpan.FromMinutes(5);
    private static readonly CancellationToken None = CancellationToken.None;

    /// <summary>Opens the stores as one unit of work; sessions opened by one test share the same data.</summary>
    protected abstract StoreSession OpenSession();

    /// <summary>Empties the stores before a test.</summary>
    protected abstract Task ResetAsync();

    public Task InitializeAsync() => ResetAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task An_accepted_event_is_written_with_its_customer_orders_and_steps()
    {
        var step = Step("check-in:0:c1:e1", T0.AddDays(30));
        var changes = Schedule("e1", step);
        changes.Customer = Customer();
        changes.Orders.Add(Order("o1"));

        await using (var s = OpenSession())
        {
            (await s.Intake.CommitAsync(changes, None)).Should().Be(IntakeCommitResult.Committed);
        }

        changes.Customer.Version.Should().Be(1, "the store writes the new version back to the change set");
        await using var read = OpenSession();
        (await read.Events.IsProcessedAsync("e1", None)).Should().BeTrue();
        (await read.Events.IsProcessedAsync("e2", None)).Should().BeFalse();
        var customer = await read.Customers.FindByIdAsync("c1", None);
        customer.Should().BeEquivalentTo(Customer(), o => o.Excluding(c => c.Version));
        customer!.Version.Should().Be(1);
        (await read.Customers.GetOrdersAsync("c1", None)).Should().ContainSingle()
            .Which.Should().BeEquivalentTo(Order("o1"));
        (await read.Steps.FindAsync(step.Id, None)).Should().BeEquivalentTo(step);
    }

    [Fact]
    public async Task A_repeated_event_writes_nothing()
    {
        await using var s = OpenSession();
        var first = Schedule("e1", Step("k1", T0));
        first.Customer = Customer();
        await s.Intake.CommitAsync(first, None);

        var again = Schedule("e1", Step("k2", T0));
        again.Customer = Customer(email: "changed@example.com");
        again.ExpectedCustomerVersion = 1;
        again.Orders.Add(Order("o9"));

        (await s.Intake.CommitAsync(again, None)).Should().Be(IntakeCommitResult.DuplicateEvent);
        (await s.Customers.FindByIdAsync("c1", None))!.Email.Should().Be("Ann@Example.com");
        (await s.Customers.GetOrdersAsync("c1", None)).Should().BeEmpty();
        (await s.Steps.QueryAsync(new StepQuery(), None)).Select(x => x.DedupeKey).Should().Equal("k1");
    }

    [Fact]
    public async Task A_customer_changed_since_it_was_read_is_a_conflict_that_writes_nothing()
    {
        await using var s = OpenSession();
        var first = Schedule("e1");
        first.Customer = Customer();
        await s.Intake.CommitAsync(first, None);

        foreach (var (eventId, expected) in new[] { ("e2", (int?)null), ("e3", 7) })
        {
            var stale = Schedule(eventId, Step("k-" + eventId, T0));
            stale.Customer = Customer(email: "stale@example.com");
            stale.ExpectedCustomerVersion = expected;
            stale.Orders.Add(Order("o-" + eventId));

            (await s.Intake.CommitAsync(stale, None)).Should().Be(IntakeCommitResult.Conflict);
            (await s.Events.IsProcessedAsync(eventId, None)).Should().BeFalse();
        }

        (await s.Customers.FindByIdAsync("c1", None))!.Should().BeEquivalentTo(new { Email = "Ann@Example.com", Version = 1 });
        (await s.Customers.GetOrdersAsync("c1", None)).Should().BeEmpty();
        (await s.Steps.QueryAsync(new StepQuery(), None)).Should().BeEmpty();
    }

    [Fact]
    public async Task A_customer_written_with_the_version_read_gets_the_next_version()
    {
        await using var s = OpenSession();
        var first = Schedule("e1");
        first.Customer = Customer();
        await s.Intake.CommitAsync(first, None);

        var next = Schedule("e2");
        next.Customer = Customer();
        next.Customer.OrderCount = 2;
        next.ExpectedCustomerVersion = 1;

        (await s.Intake.CommitAsync(next, None)).Should().Be(IntakeCommitResult.Committed);
        next.Customer.Version.Should().Be(2);
        (await s.Customers.FindByIdAsync("c1", None))!.Should().BeEquivalentTo(new { OrderCount = 2, Version = 2 });
    }

    [Fact]
    public async Task The_same_event_delivered_to_several_workers_at_once_is_committed_once()
    {
        var results = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
        {
            await using var s = OpenSession();
            var changes = Schedule("e1", Step("check-in:0:c1:e1", T0.AddDays(30)));
            changes.Customer = Customer();
            changes.Orders.Add(Order("o1"));
            return await s.Intake.CommitAsync(changes, None);
        })));

        results.Should().ContainSingle(r => r == IntakeCommitResult.Committed);
        results.Should().OnlyContain(r => r == IntakeCommitResult.Committed || r == IntakeCommitResult.DuplicateEvent);
        await using var read = OpenSession();
        (await read.Steps.QueryAsync(new StepQuery(), None)).Should().ContainSingle();
        (await read.Customers.FindByIdAsync("c1", None))!.Version.Should().Be(1);
    }

    [Fact]
    public async Task Two_events_creating_the_same_new_customer_at_once_commit_one_and_conflict_the_other()
    {
        var results = await Task.WhenAll(Enumerable.Range(0, 4).Select(i => Task.Run(async () =>
        {
            await using var s = OpenSession();
            var changes = Schedule("e" + i, Step("welcome:0:c1:e" + i, T0));
            changes.Customer = Customer();
            return await s.Intake.CommitAsync(changes, None);
        })));

        results.Should().ContainSingle(r => r == IntakeCommitResult.Committed);
        results.Should().OnlyContain(r => r == IntakeCommitResult.Committed || r == IntakeCommitResult.Conflict);
        await using var read = OpenSession();
        (await read.Steps.QueryAsync(new StepQuery(), None)).Should().ContainSingle();
    }

    [Fact]
    public async Task Of_several_events_updating_the_same_customer_version_at_once_one_commits_and_the_others_conflict()
    {
        await using (var setup = OpenSession())
        {
            var first = Schedule("e0");
            first.Customer = Customer();
            await setup.Intake.CommitAsync(first, None);
        }

        var results = await Task.WhenAll(Enumerable.Range(1, 4).Select(i => Task.Run(async () =>
        {
            await using var s = OpenSession();
            var changes = Schedule("e" + i, Step("k" + i, T0, triggerEventId: "e" + i));
            changes.Customer = Customer();
            changes.Customer.OrderCount = 1 + i;
            changes.ExpectedCustomerVersion = 1;
            return (Event: "e" + i, Result: await s.Intake.CommitAsync(changes, None));
        })));

        var winner = results.Should().ContainSingle(r => r.Result == IntakeCommitResult.Committed).Subject;
        results.Where(r => r != winner).Should().OnlyContain(r => r.Result == IntakeCommitResult.Conflict);
        await using var read = OpenSession();
        (await read.Customers.FindByIdAsync("c1", None))!.Version.Should().Be(2);
        (await read.Steps.QueryAsync(new StepQuery(), None)).Should().ContainSingle().Which.TriggerEventId.Should().Be(winner.Event);
    }

    [Fact]
    public async Task Events_scheduling_the_same_step_at_once_all_commit_and_the_step_is_written_once()
    {
        var results = await Task.WhenAll(Enumerable.Range(0, 4).Select(i => Task.Run(async () =>
        {
            await using var s = OpenSession();
            return await s.Intake.CommitAsync(Schedule("e" + i, Step("review:0:c1:o1", T0, triggerEventId: "e" + i)), None);
        })));

        results.Should().OnlyContain(r => r == IntakeCommitResult.Committed);
        await using var read = OpenSession();
        (await read.Steps.QueryAsync(new StepQuery(), None)).Should().ContainSingle();
        foreach (var i in Enumerable.Range(0, 4))
        {
            (await read.Events.IsProcessedAsync("e" + i, None)).Should().BeTrue();
        }
    }

    [Fact]
    public async Task A_batch_is_written_at_once_with_each_customer_at_the_version_its_last_set_gives()
    {
        var first = Schedule("e1", Step("k1", T0));
        first.Customer = Customer();
        first.Orders.Add(Order("o1"));
        var second = Schedule("e2", Step("k2", T0, triggerEventId: "e2"));
        second.Customer = Customer(email: "later@example.com");
        second.ExpectedCustomerVersion = 1;
        var delivered = Order("o1");
        delivered.Status = OrderStatus.Delivered;
        second.Orders.Add(delivered);
        second.Orders.Add(Order("o2"));
        var other = Schedule("e3");
        other.Events[0].CustomerId = "c2";
        other.Customer = Customer("c2");

        await using (var s = OpenSession())
        {
            (await s.Intake.CommitManyAsync([first, second, other], None)).Should().Equal(IntakeCommitResult.Committed, IntakeCommitResult.Committed, IntakeCommitResult.Committed);
        }

        new[] { first.Customer.Version, second.Customer.Version, other.Customer.Version }.Should().Equal(1, 2, 1);
        await using var read = OpenSession();
        var c1 = await read.Customers.FindByIdAsync("c1", None);
        c1!.Version.Should().Be(2);
        c1.Email.Should().Be("later@example.com");
        (await read.Customers.FindByIdAsync("c2", None))!.Version.Should().Be(1);
        (await read.Customers.GetOrdersAsync("c1", None)).Select(o => (o.OrderId, o.Status)).Should().Equal(("o1", OrderStatus.Delivered), ("o2", OrderStatus.Placed));
        (await read.Steps.QueryAsync(new StepQuery(), None)).Select(x => x.DedupeKey).Order(StringComparer.Ordinal).Should().Equal("k1", "k2");
        (await read.Events.IsProcessedAsync("e3", None)).Should().BeTrue();
    }

    [Fact]
    public async Task A_batch_with_an_accepted_event_or_a_changed_customer_writes_nothing()
    {
        await using (var setup = OpenSession())
        {
            var known = Schedule("e0");
            known.Customer = Customer();
            await setup.Intake.CommitAsync(known, None);
        }

        IntakeChangeSet Fresh(string eventId, string customerId)
        {
            var set = Schedule(eventId, Step("k-" + eventId, T0, customerId: customerId, triggerEventId: eventId));
            set.Events[0].CustomerId = customerId;
            set.Customer = Customer(customerId);
            set.Orders.Add(Order("o-" + eventId, customerId));
            return set;
        }

        var repeated = Schedule("e0");
        await using (var s = OpenSession())
        {
            (await s.Intake.CommitManyAsync([Fresh("e1", "c8"), repeated, Fresh("e2", "c9")], None))
                .Should().Equal(IntakeCommitResult.Conflict, IntakeCommitResult.DuplicateEvent, IntakeCommitResult.Conflict);
            var stale = Fresh("e3", "c1");
            stale.ExpectedCustomerVersion = 7;
            (await s.Intake.CommitManyAsync([Fresh("e4", "c8"), stale], None))
                .Should().Equal(IntakeCommitResult.Conflict, IntakeCommitResult.Conflict);

            // Both sets read c1 at version 1: counted after the first, the second is stale.
            var a = Fresh("e5", "c1");
            a.ExpectedCustomerVersion = 1;
            var b = Fresh("e6", "c1");
            b.ExpectedCustomerVersion = 1;
            (await s.Intake.CommitManyAsync([Fresh("e7", "c7"), a, b], None))
                .Should().Equal(IntakeCommitResult.Conflict, IntakeCommitResult.Conflict, IntakeCommitResult.Conflict);
        }

        await using var read = OpenSession();
        foreach (var id in new[] { "e1", "e2", "e3", "e4", "e5", "e6", "e7" })
        {
            (await read.Events.IsProcessedAsync(id, None)).Should().BeFalse(id + " was in a refused batch");
        }

        foreach (var id in new[] { "c7", "c8", "c9" })
        {
            (await read.Customers.FindByIdAsync(id, None)).Should().BeNull();
        }

        (await read.Customers.FindByIdAsync("c1", None))!.Version.Should().Be(1);
        (await read.Steps.QueryAsync(new StepQuery(), None)).Should().BeEmpty();
    }

    [Fact]
    public async Task An_event_or_step_key_an_earlier_set_of_the_batch_records_counts_as_known_to_the_later_sets()
    {
        const string milestone = "milestone:c1:first-order";
        var first = Schedule("e1", Step("welcome:0:c1:once", T0, triggerEventId: milestone), Step("receipt:0:c1:o1", T0));
        first.Events.Add(Event(milestone));
        var second = Schedule("e2", Step("welcome:0:c1:again", T0, triggerEventId: milestone), Step("receipt:0:c1:o1", T0, triggerEventId: "e2"), Step("receipt:0:c1:o2", T0, triggerEventId: "e2"));
        second.Events.Add(Event(milestone));
        var repeat = Schedule("e2");

        await using (var s = OpenSession())
        {
            (await s.Intake.CommitManyAsync([first, second], None)).Should().Equal(IntakeCommitResult.Committed, IntakeCommitResult.Committed);
            (await s.Intake.CommitManyAsync([repeat], None)).Should().Equal(IntakeCommitResult.DuplicateEvent);
        }

        await using var read = OpenSession();
        (await read.Steps.QueryAsync(new StepQuery(), None)).Select(x => x.DedupeKey).Order(StringComparer.Ordinal)
            .Should().Equal("receipt:0:c1:o1", "receipt:0:c1:o2", "welcome:0:c1:once");
        (await read.Events.IsProcessedAsync(milestone, None)).Should().BeTrue();
    }

    [Fact]
    public async Task Orders_are_inserted_or_updated_and_read_oldest_first()
    {
        await using var s = OpenSession();
        var first = Schedule("e1");
        var later = Order("o2");
        later.PlacedAt = T0.AddDays(2);
        first.Orders.Add(later);
        first.Orders.Add(Order("o1"));
        await s.Intake.CommitAsync(first, None);

        var delivered = Order("o2");
        delivered.PlacedAt = T0.AddDays(2);
        delivered.Status = OrderStatus.Delivered;
        delivered.DeliveredAt = T0.AddDays(4);
        var second = Schedule("e2");
        second.Orders.Add(delivered);
        (await s.Intake.CommitAsync(second, None)).Should().Be(IntakeCommitResult.Committed);

        var orders = await s.Customers.GetOrdersAsync("c1", None);
        orders.Select(o => o.OrderId).Should().Equal("o1", "o2");
        orders[1].Should().BeEquivalentTo(delivered);
        orders[0].Total.Should().Be(1234.5678m);
    }

    [Fact]
    public async Task Steps_whose_dedupe_key_exists_are_left_out_silently()
    {
        await using var s = OpenSession();
        var original = Step("check-in:0:c1:o1", T0.AddDays(30));
        await s.Intake.CommitAsync(Schedule("e1", original), None);

        var repeat = Step("check-in:0:c1:o1", T0.AddDays(31));
        var fresh = Step("review:0:c1:o1", T0.AddDays(7));
        var twin = Step("review:0:c1:o1", T0.AddDays(8));

        (await s.Intake.CommitAsync(Schedule("e2", repeat, fresh, twin), None)).Should().Be(IntakeCommitResult.Committed);

        var steps = await s.Steps.QueryAsync(new StepQuery(), None);
        steps.Select(x => x.Id).Should().BeEquivalentTo([original.Id, fresh.Id]);
        (await s.Events.IsProcessedAsync("e2", None)).Should().BeTrue();
    }

    [Fact]
    public async Task Derived_events_recorded_before_are_left_out_with_their_steps()
    {
        await using var s = OpenSession();
        var firstTime = Schedule("e1");
        firstTime.Events.Add(Event("milestone:first-order:c1", type: "MilestoneReached"));
        await s.Intake.CommitAsync(firstTime, None);

        var again = Schedule("e2", Step("k-e2", T0, triggerEventId: "e2"), Step("k-milestone", T0, triggerEventId: "milestone:first-order:c1"));
        again.Events.Add(Event("milestone:first-order:c1", type: "MilestoneReached"));
        again.Events.Add(Event("milestone:second-order:c1", type: "MilestoneReached"));

        (await s.Intake.CommitAsync(again, None)).Should().Be(IntakeCommitResult.Committed);
        (await s.Events.IsProcessedAsync("e2", None)).Should().BeTrue();
        (await s.Events.IsProcessedAsync("milestone:second-order:c1", None)).Should().BeTrue();
        (await s.Steps.QueryAsync(new StepQuery(), None)).Select(x => x.DedupeKey).Should().Equal("k-e2");
    }

    [Fact]
    public async Task A_claim_leases_only_due_active_rows_in_available_at_order()
    {
        var now = T0.AddDays(1);
        var third = Step("held", now.AddMinutes(-1), StepState.Held);
        var first = Step("oldest", now.AddMinutes(-30));
        var second = Step("due-now", now.AddMinutes(-10));
        await using (var setup = OpenSession())
        {
            await setup.Intake.CommitAsync(Schedule(
                "e1",
                third,
                Step("future", now.AddSeconds(1)),
                second,
                Step("sent", now.AddHours(-2), StepState.Sent),
                Step("skipped", now.AddHours(-2), StepState.Skipped),
                Step("failed", now.AddHours(-2), StepState.Failed),
                first), None);
        }

        await using var s = OpenSession();
        var claimed = await s.Steps.ClaimDueAsync(now, 10, "worker-a", Lease, None);

        claimed.Select(x => x.Id).Should().Equal(first.Id, second.Id, third.Id);
        claimed.Should().AllSatisfy(x =>
        {
            x.LeaseOwner.Should().Be("worker-a");
            x.AvailableAt.Should().Be(now + Lease);
            x.Version.Should().Be(1);
            x.Attempts.Should().Be(1);
        });
        (await s.Steps.FindAsync(first.Id, None)).Should().BeEquivalentTo(claimed[0]);
    }

    [Fact]
    public async Task A_claim_takes_at_most_the_count_asked_for_oldest_first()
    {
        await using var s = OpenSession();
        var steps = Enumerable.Range(0, 5).Select(i => Step("k" + i, T0.AddMinutes(-i))).ToArray();
        await s.Intake.CommitAsync(Schedule("e1", steps), None);

        var claimed = await s.Steps.ClaimDueAsync(T0, 2, "worker-a", Lease, None);

        claimed.Select(x => x.Id).Should().Equal(steps[4].Id, steps[3].Id);
    }

    [Fact]
    public async Task Claimed_rows_are_not_claimed_again_until_the_lease_ends()
    {
        await using var s = OpenSession();
        var step = Step("k1", T0);
        await s.Intake.CommitAsync(Schedule("e1", step), None);
        (await s.Steps.ClaimDueAsync(T0, 10, "worker-a", Lease, None)).Should().ContainSingle();

        var justBefore = T0 + Lease - TimeSpan.FromSeconds(1);
        (await s.Steps.ClaimDueAsync(justBefore, 10, "worker-b", Lease, None)).Should().BeEmpty();
        (await s.Steps.ClaimByIdAsync(step.Id, justBefore, "worker-b", Lease, None)).Should().BeNull();
    }

    [Fact]
    public async Task After_the_lease_ends_another_worker_claims_and_the_old_holders_update_fails()
    {
        await using var s = OpenSession();
        await s.Intake.CommitAsync(Schedule("e1", Step("k1", T0)), None);
        var held = (await s.Steps.ClaimDueAsync(T0, 10, "worker-a", Lease, None)).Single();

        var afterLease = T0 + Lease;
        var taken = (await s.Steps.ClaimDueAsync(afterLease, 10, "worker-b", Lease, None)).Single();
        taken.Should().BeEquivalentTo(new { held.Id, LeaseOwner = "worker-b", Version = 2, Attempts = 2 });

        var version = held.Version;
        held.State = StepState.Sent;
        held.CompletedAt = afterLease;
        (await s.Steps.TryUpdateAsync(held, version, None)).Should().BeFalse();
        held.Version.Should().Be(version);
        (await s.Steps.FindAsync(held.Id, None))!.State.Should().Be(StepState.Scheduled);

        taken.State = StepState.Sent;
        taken.CompletedAt = afterLease;
        taken.MessageId = "<step@shop.example>";
        (await s.Steps.TryUpdateAsync(taken, taken.Version, None)).Should().BeTrue();
        taken.Version.Should().Be(3);
        (await s.Steps.FindAsync(held.Id, None)).Should().BeEquivalentTo(taken);
    }

    [Fact]
    public async Task Terminal_rows_are_never_claimed()
    {
        await using var s = OpenSession();
        var steps = new[] { StepState.Sent, StepState.Skipped, StepState.Failed }
            .Select(state => Step(state.ToString(), T0, state)).ToArray();
        await s.Intake.CommitAsync(Schedule("e1", steps), None);

        var muchLater = T0.AddYears(5);
        (await s.Steps.ClaimDueAsync(muchLater, 10, "worker-a", Lease, None)).Should().BeEmpty();
        foreach (var step in steps)
        {
            (await s.Steps.ClaimByIdAsync(step.Id, muchLater, "worker-a", Lease, None)).Should().BeNull();
        }
    }

    [Fact]
    public async Task A_due_row_can_be_claimed_by_its_id_but_not_before_it_is_due()
    {
        await using var s = OpenSession();
        var step = Step("k1", T0.AddMinutes(1));
        await s.Intake.CommitAsync(Schedule("e1", step), None);

        (await s.Steps.ClaimByIdAsync(step.Id, T0, "worker-a", Lease, None)).Should().BeNull();
        (await s.Steps.ClaimByIdAsync(Guid.NewGuid(), T0.AddMinutes(1), "worker-a", Lease, None)).Should().BeNull();
        var claimed = await s.Steps.ClaimByIdAsync(step.Id, T0.AddMinutes(1), "worker-a", Lease, None);

        claimed.Should().BeEquivalentTo(new { step.Id, LeaseOwner = "worker-a", AvailableAt = T0.AddMinutes(1) + Lease, Version = 1, Attempts = 1 });
    }

    [Fact]
    public async Task Concurrent_claimers_take_disjoint_sets_that_cover_every_due_row()
    {
        var steps = Enumerable.Range(0, 120).Select(i => Step("k" + i, T0.AddSeconds(-i))).ToArray();
        await using (var setup = OpenSession())
        {
            await setup.Intake.CommitAsync(Schedule("e1", steps), None);
        }

        var claimers = Enumerable.Range(0, 4).Select(worker => Task.Run(async () =>
        {
            await using var s = OpenSession();
            var mine = new List<Guid>();
            while (true)
            {
                var batch = await s.Steps.ClaimDueAsync(T0, 7, "worker-" + worker, Lease, None);
                if (batch.Count == 0)
                {
                    return mine;
                }

                mine.AddRange(batch.Select(x => x.Id));
            }
        })).ToArray();
        var results = await Task.WhenAll(claimers);

        var all = results.SelectMany(x => x).ToList();
        all.Should().OnlyHaveUniqueItems();
        all.Should().BeEquivalentTo(steps.Select(x => x.Id));
    }

    [Fact]
    public async Task Adding_a_suppression_twice_keeps_one_and_removing_it_twice_is_harmless()
    {
        await using var s = OpenSession();
        var unsubscribed = new Suppression { NormalizedEmail = "ann@example.com", Category = "marketing", Reason = "unsubscribed", CreatedAt = T0 };
        var bounced = new Suppression { NormalizedEmail = "ann@example.com", Category = "*", Reason = "hard-bounce", CreatedAt = T0 };

        await s.Suppressions.AddAsync(unsubscribed, None);
        await s.Suppressions.AddAsync(unsubscribed, None);
        await s.Suppressions.AddAsync(bounced, None);

        (await s.Suppressions.GetAsync("ann@example.com", None)).Should().BeEquivalentTo([bounced, unsubscribed]);
        (await s.Suppressions.GetAsync("bob@example.com", None)).Should().BeEmpty();

        await s.Suppressions.RemoveAsync("ann@example.com", "marketing", None);
        await s.Suppressions.RemoveAsync("ann@example.com", "marketing", None);
        (await s.Suppressions.GetAsync("ann@example.com", None)).Should().BeEquivalentTo([bounced]);
    }

    [Fact]
    public async Task Steps_can_be_queried_by_customer_flow_state_and_completion_newest_due_first()
    {
        await using var s = OpenSession();
        var ann1 = Step("a1", T0.AddDays(1));
        var ann2 = Step("a2", T0.AddDays(2), flowId: "review");
        var annSentLongAgo = Step("a3", T0.AddDays(-30), StepState.Sent);
        var annSentRecently = Step("a4", T0.AddDays(-1), StepState.Sent);
        var annSkippedRecently = Step("a5", T0.AddDays(-2), StepState.Skipped);
        var bob = Step("b1", T0.AddDays(3), customerId: "c2");
        await s.Intake.CommitAsync(Schedule("e1", ann1, ann2, annSentLongAgo, annSentRecently, annSkippedRecently, bob), None);

        async Task<IEnumerable<Guid>> Ids(StepQuery q) => (await s.Steps.QueryAsync(q, None)).Select(x => x.Id);

        (await Ids(new StepQuery { CustomerId = "c1" })).Should().Equal(ann2.Id, ann1.Id, annSentRecently.Id, annSkippedRecently.Id, annSentLongAgo.Id);
        (await Ids(new StepQuery { CustomerId = "c1", FlowId = "review" })).Should().Equal(ann2.Id);
        (await Ids(new StepQuery { State = StepState.Scheduled })).Should().Equal(bob.Id, ann2.Id, ann1.Id);
        (await Ids(new StepQuery { CustomerId = "c1", CompletedSince = T0.AddDays(-7) })).Should().Equal(annSentRecently.Id);
        (await Ids(new StepQuery { Take = 2 })).Should().Equal(bob.Id, ann2.Id);
    }
}
