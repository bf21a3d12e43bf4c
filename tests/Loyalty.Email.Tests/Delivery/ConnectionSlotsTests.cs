using FluentAssertions;
using Loyalty.Email.Delivery;
using Xunit;

namespace Loyalty.Email.Tests.Delivery;

public sealed class ConnectionSlotsTests
{
    [Fact]
    public async Task Waiters_get_freed_slots_first_come_first_served_and_the_count_comes_back()
    {
        var slots = new ConnectionSlots(2);
        await slots.WaitAsync(CancellationToken.None);
        await slots.WaitAsync(CancellationToken.None);
        var order = new List<string>();
        var first = TakeAsync(slots, "first", order, CancellationToken.None);
        var second = TakeAsync(slots, "second", order, CancellationToken.None);
        first.IsCompleted.Should().BeFalse();

        slots.Release();
        await first;
        second.IsCompleted.Should().BeFalse();
        slots.Release();
        await second;
        slots.Release();
        slots.Release();

        order.Should().Equal("first", "second");
        slots.Free.Should().Be(2);
    }

    [Fact]
    public async Task Release_runs_the_waiters_continuation_before_it_returns()
    {
        var slots = new ConnectionSlots(1);
        await slots.WaitAsync(CancellationToken.None);
        using var cancellable = new CancellationTokenSource();
        var order = new List<string>();
        var plain = TakeAsync(slots, "plain", order, CancellationToken.None);
        var withToken = TakeAsync(slots, "with a token", order, cancellable.Token);

        // Released from a thread-pool thread, as the pool's senders are: a test thread's synchronization context
        // would make any completion post its continuation instead of running it.
        var afterFirst = await Task.Run(() => ReleaseAndLook(slots, order));
        var afterSecond = await Task.Run(() => ReleaseAndLook(slots, order));

        afterFirst.Should().Equal("plain");
        afterSecond.Should().Equal("plain", "with a token");

        await Task.WhenAll(plain, withToken);
        slots.Free.Should().Be(0);
    }

    [Fact]
    public async Task A_cancelled_waiter_takes_no_slot_and_the_next_waiter_gets_it()
    {
        var slots = new ConnectionSlots(1);
        await slots.WaitAsync(CancellationToken.None);
        using var cancel = new CancellationTokenSource();
        var order = new List<string>();
        var cancelled = TakeAsync(slots, "cancelled", order, cancel.Token);
        var next = TakeAsync(slots, "next", order, CancellationToken.None);

        await cancel.CancelAsync();
        var wait = () => cancelled;
        await wait.Should().ThrowAsync<OperationCanceledException>();
        slots.Release();
        await next;
        slots.Release();

        order.Should().Equal("next");
        slots.Free.Should().Be(1);
    }

    [Fact]
    public async Task A_token_cancelled_before_the_wait_fails_at_once_even_with_a_free_slot()
    {
        var slots = new ConnectionSlots(1);
        using var cancel = new CancellationTokenSource();
        await cancel.CancelAsync();

        var wait = () => slots.WaitAsync(cancel.Token);

        await wait.Should().ThrowAsync<OperationCanceledException>();
        slots.Free.Should().Be(1);
    }

    [Fact]
    public void A_pool_without_slots_is_refused()
    {
        var create = () => new ConnectionSlots(0);

        create.Should().Throw<ArgumentOutOfRangeException>();
    }

    private static string[] ReleaseAndLook(ConnectionSlots slots, List<string> order)
    {
        slots.Release();
        return [.. order];
    }

    // ConfigureAwait(false), as the pool awaits: the continuation then runs where the slot is released.
    private static async Task TakeAsync(ConnectionSlots slots, string name, List<string> order, CancellationToken cancellationToken)
    {
        await slots.WaitAsync(cancellationToken).ConfigureAwait(false);
        order.Add(name);
    }
}
