using Loyalty.Email.Flows;
using Loyalty.Email.Scheduling;
using Loyalty.Email.Stores.InMemory;
using Loyalty.Stores;

namespace Loyalty.Email.Tests.Engine;

/// <summary>The reads a claimed batch shares, and when a step of it must read its own instead.</summary>
public sealed class ClaimedBatchReadsTests
{
    private static readonly DateTimeOffset Now = new(2026, 3, 2, 10, 0, 0, TimeSpan.Zero);
    private readonly InMemoryLoyaltyStore _store = new();

    private static ScheduledStep Step(string customerId) => new()
    {
        Id = Guid.NewGuid(),
        DedupeKey = Guid.NewGuid().ToString("N"),
        FlowId = "promo",
        CustomerId = customerId,
        TriggerEventId = "e",
        EventJson = "{}",
        Category = EmailCategories.Marketing,
    };

    private async Task SeedAsync(string customerId, string email, params string[] orderIds)
    {
        var changes = new IntakeChangeSet { Customer = new LoyaltyCustomer { CustomerId = customerId, Email = email, NormalizedEmail = email } };
        changes.Events.Add(new ProcessedEvent { EventId = "seed-" + customerId, EventType = "x", CustomerId = customerId });
        changes.Orders.AddRange(orderIds.Select((id, i) => new CustomerOrder { CustomerId = customerId, OrderId = id, PlacedAt = Now.AddDays(i), Currency = "TWD" }));
        (await _store.CommitAsync(changes, CancellationToken.None)).Should().Be(IntakeCommitResult.Committed);
    }

    private Task<ClaimedBatchReads> ReadAsync(params ScheduledStep[] batch) => ClaimedBatchReads.ReadAsync(batch, _store, _store, Now, CancellationToken.None);

    [Fact]
    public async Task Each_step_gets_its_customer_orders_and_the_suppressions_of_its_address()
    {
        await SeedAsync("ann", "ann@example.com", "o1", "o2");
        await SeedAsync("bob", "bob@example.com");
        await _store.AddAsync(new Suppression { NormalizedEmail = "bob@example.com", Category = "marketing", Reason = "unsubscribed" }, CancellationToken.None);
        ScheduledStep ann = Step("ann"), bob = Step("bob"), ghost = Step("ghost");

        var reads = await ReadAsync(ann, bob, Step("ann"), ghost);

        var annReads = reads.For(ann, Now)!;
        annReads.Customer!.Email.Should().Be("ann@example.com");
        annReads.Orders.Select(o => o.OrderId).Should().Equal("o1", "o2");
        annReads.Suppressions.Should().BeEmpty();
        reads.For(bob, Now)!.Suppressions.Should().ContainSingle().Which.Reason.Should().Be("unsubscribed");
        reads.For(ghost, Now).Should().BeEquivalentTo(new StepReads(null, [], []), "an unknown customer is known to be unknown, no need to read again");
        reads.For(Step("not-in-the-batch"), Now).Should().BeNull();
    }

    [Fact]
    public async Task A_step_starting_after_the_reads_grew_too_old_reads_its_own()
    {
        await SeedAsync("ann", "ann@example.com");
        var step = Step("ann");
        var reads = await ReadAsync(step);

        reads.For(step, Now + ClaimedBatchReads.MaxAge).Should().NotBeNull();
        reads.For(step, Now + ClaimedBatchReads.MaxAge + TimeSpan.FromTicks(1)).Should().BeNull();
    }

    [Fact]
    public async Task After_a_step_changed_the_customer_or_suppressed_the_address_the_later_steps_read_their_own()
    {
        await SeedAsync("ann", "ann@example.com");
        await SeedAsync("ann-again", "ann@example.com");
        await SeedAsync("bob", "bob@example.com");
        ScheduledStep ann = Step("ann"), annAgain = Step("ann-again"), bob = Step("bob");
        var reads = await ReadAsync(ann, annAgain, bob);

        reads.CustomerChanged("bob");
        reads.For(bob, Now).Should().BeNull();
        reads.For(ann, Now).Should().NotBeNull();

        reads.AddressChanged("ann@example.com");
        reads.For(ann, Now).Should().BeNull();
        reads.For(annAgain, Now).Should().BeNull("another customer with the same address is suppressed too");
    }
}
