using Loyalty.EntityFrameworkCore.Stores;
using Loyalty.EntityFrameworkCore.Tests.Infrastructure;
using Loyalty.Stores;
using static Loyalty.EntityFrameworkCore.Tests.Infrastructure.Records;

namespace Loyalty.EntityFrameworkCore.Tests.Contract;

/// <summary>The batch reads of customers, orders and suppressions, which the dispatch uses per claimed batch.</summary>
public abstract partial class StoreContractTests
{
    private static Suppression Suppressed(string email, string category, string reason = "unsubscribed") =>
        new() { NormalizedEmail = email, Category = category, Reason = reason, CreatedAt = T0 };

    private async Task SeedCustomerAsync(StoreSession s, string customerId, params CustomerOrder[] orders)
    {
        var changes = new IntakeChangeSet();
        changes.Events.Add(Event("seed-" + customerId, customerId));
        changes.Customer = Customer(customerId, customerId + "@example.com");
        changes.Orders.AddRange(orders);
        (await s.Intake.CommitAsync(changes, None)).Should().Be(IntakeCommitResult.Committed);
    }

    [Fact]
    public async Task Batch_reads_return_what_the_single_reads_return_leave_out_missing_ids_and_read_repeated_ids_once()
    {
        await using (var seed = OpenSession())
        {
            var late = Order("o-late", "c1");
            late.PlacedAt = T0.AddDays(2);
            var early = Order("o-early", "c1");
            early.PlacedAt = T0.AddDays(-2);
            await SeedCustomerAsync(seed, "c1", late, Order("o-b", "c1"), early, Order("o-a", "c1"));
            await SeedCustomerAsync(seed, "c2");
            await SeedCustomerAsync(seed, "c3", Order("o-c3", "c3"));
            await seed.Suppressions.AddAsync(Suppressed("c1@example.com", "marketing"), None);
            await seed.Suppressions.AddAsync(Suppressed("c1@example.com", "*", "hard-bounce"), None);
            await seed.Suppressions.AddAsync(Suppressed("c3@example.com", "reviews"), None);
            await seed.Suppressions.AddAsync(Suppressed("other@example.com", "*"), None);
        }

        await using var s = OpenSession();
        string[] ids = ["c1", "c2", "missing", "c1"];
        var customers = await s.Customers.FindByIdsAsync(ids, None);
        customers.Keys.Should().BeEquivalentTo("c1", "c2");
        customers["c1"].Should().BeEquivalentTo(await s.Customers.FindByIdAsync("c1", None));
        customers["c2"].Should().BeEquivalentTo(await s.Customers.FindByIdAsync("c2", None));

        var orders = await s.Customers.GetOrdersAsync(ids, None);
        orders.Keys.Should().BeEquivalentTo("c1", "c2", "missing");
        orders["c1"].Select(o => o.OrderId).Should().Equal("o-early", "o-a", "o-b", "o-late");
        orders["c1"].Should().BeEquivalentTo(await s.Customers.GetOrdersAsync("c1", None), o => o.WithStrictOrdering());
        orders["c2"].Should().BeEmpty();
        orders["missing"].Should().BeEmpty("c3's orders were not asked for and must not leak into another entry");

        var suppressions = await s.Suppressions.GetAsync(["c1@example.com", "c2@example.com", "c3@example.com", "c1@example.com"], None);
        suppressions.Keys.Should().BeEquivalentTo("c1@example.com", "c2@example.com", "c3@example.com");
        suppressions["c1@example.com"].Select(x => x.Category).Should().Equal("*", "marketing");
        suppressions["c1@example.com"].Should().BeEquivalentTo(await s.Suppressions.GetAsync("c1@example.com", None), o => o.WithStrictOrdering());
        suppressions["c2@example.com"].Should().BeEmpty();
        suppressions["c3@example.com"].Should().ContainSingle().Which.Category.Should().Be("reviews");
    }

    [Fact]
    public async Task Batch_reads_of_more_keys_than_one_statement_carries_find_the_rows_of_every_statement()
    {
        // Customers at both ends of each statement's share of the keys (500 keys a statement in the EF stores).
        var size = BatchReads.MaxKeysPerStatement;
        int[] present = [0, size - 1, size, 2 * size - 1, 2 * size, 2 * size + 150];
        await using (var seed = OpenSession())
        {
            foreach (var i in present)
            {
                await SeedCustomerAsync(seed, "c" + i, Order("o" + i, "c" + i));
                await seed.Suppressions.AddAsync(Suppressed($"c{i}@example.com", "marketing"), None);
            }
        }

        var ids = Enumerable.Range(0, 2 * size + 151).Select(i => "c" + i).ToList();
        var emails = ids.Select(id => id + "@example.com").ToList();
        await using var s = OpenSession();

        var customers = await s.Customers.FindByIdsAsync(ids, None);
        customers.Keys.Should().BeEquivalentTo(present.Select(i => "c" + i));
        customers.Should().OnlyContain(p => p.Value.CustomerId == p.Key);

        var orders = await s.Customers.GetOrdersAsync(ids, None);
        orders.Should().HaveCount(ids.Count);
        orders.Where(p => p.Value.Count > 0).Should().BeEquivalentTo(
            present.ToDictionary(i => "c" + i, i => new[] { new { OrderId = "o" + i, CustomerId = "c" + i } }));

        var suppressions = await s.Suppressions.GetAsync(emails, None);
        suppressions.Should().HaveCount(emails.Count);
        suppressions.Where(p => p.Value.Count > 0).Select(p => p.Key).Should().BeEquivalentTo(present.Select(i => $"c{i}@example.com"));
    }

    [Fact]
    public async Task Batch_reads_of_no_keys_are_empty_and_a_null_or_empty_key_is_refused_before_anything_is_read()
    {
        await using var s = OpenSession();
        (await s.Customers.FindByIdsAsync([], None)).Should().BeEmpty();
        (await s.Customers.GetOrdersAsync(Array.Empty<string>(), None)).Should().BeEmpty();
        (await s.Suppressions.GetAsync(Array.Empty<string>(), None)).Should().BeEmpty();

        await FluentActions.Awaiting(() => s.Customers.FindByIdsAsync(null!, None))
            .Should().ThrowAsync<ArgumentNullException>().WithParameterName("customerIds");
        await FluentActions.Awaiting(() => s.Customers.GetOrdersAsync((IReadOnlyCollection<string>)null!, None))
            .Should().ThrowAsync<ArgumentNullException>().WithParameterName("customerIds");
        await FluentActions.Awaiting(() => s.Suppressions.GetAsync((IReadOnlyCollection<string>)null!, None))
            .Should().ThrowAsync<ArgumentNullException>().WithParameterName("normalizedEmails");

        foreach (var bad in new[] { null!, "" })
        {
            string[] ids = ["c1", bad];
            (await FluentActions.Awaiting(() => s.Customers.FindByIdsAsync(ids, None))
                .Should().ThrowExactlyAsync<ArgumentException>().WithParameterName("customerIds"))
                .Which.Message.Should().Contain("Key 1");
            await FluentActions.Awaiting(() => s.Customers.GetOrdersAsync(ids, None))
                .Should().ThrowExactlyAsync<ArgumentException>().WithParameterName("customerIds");
            await FluentActions.Awaiting(() => s.Suppressions.GetAsync(ids, None))
                .Should().ThrowExactlyAsync<ArgumentException>().WithParameterName("normalizedEmails");
        }
    }

    [Fact]
    public async Task A_guarded_transition_writes_every_field_it_owns_and_clears_the_ones_set_to_null()
    {
        await using var s = OpenSession();
        var step = Step("k1", T0);
        step.Reason = "held before";
        step.LeaseOwner = "worker-1";
        await s.Intake.CommitAsync(Schedule("e1", step), None);

        var stored = (await s.Steps.FindAsync(step.Id, None))!;
        var update = stored.Copy();
        update.State = StepState.Sent;
        update.Reason = null;
        update.MessageId = "m1@shop.example";
        update.Priority = 7;
        update.Attempts = 3;
        update.LeaseOwner = null;
        update.DueAt = T0.AddMinutes(1);
        update.AvailableAt = T0.AddMinutes(2);
        update.UpdatedAt = T0.AddMinutes(3);
        update.CompletedAt = T0.AddMinutes(4);
        (await s.Steps.TryUpdateAsync(update, stored.Version, None)).Should().BeTrue();

        update.Version.Should().Be(stored.Version + 1);
        (await s.Steps.FindAsync(step.Id, None)).Should().BeEquivalentTo(update);

        var back = update.Copy();
        back.State = StepState.Held;
        back.CompletedAt = null;
        back.Reason = "transient: 451";
        (await s.Steps.TryUpdateAsync(back, update.Version, None)).Should().BeTrue();
        (await s.Steps.FindAsync(step.Id, None)).Should().BeEquivalentTo(back);
        (await s.Steps.TryUpdateAsync(back, update.Version, None)).Should().BeFalse("the version moved on");
    }
}
