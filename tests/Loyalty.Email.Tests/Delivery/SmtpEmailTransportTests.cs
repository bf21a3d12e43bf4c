using System.ComponentModel.DataAnnotations;
using Loyalty.Email.Delivery;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using MimeKit;

namespace Loyalty.Email.Tests.Delivery;

/// <summary>The pooled SMTP transport against a real SMTP server (<see cref="AiosmtpdServer"/>).</summary>
public sealed class SmtpEmailTransportTests : IAsyncLifetime
{
    private AiosmtpdServer _server = null!;

    public async Task InitializeAsync() => _server = await AiosmtpdServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task Twenty_concurrent_messages_over_a_pool_of_four_arrive_with_distinct_message_ids_on_at_most_four_connections()
    {
        await using var transport = Transport(o => o.PoolSize = 4);
        var messages = Enumerable.Range(0, 20).Select(i => TestMessages.To($"customer{i}@example.net")).ToList();

        var results = await Task.WhenAll(messages.Select(m => transport.SendAsync(m, CancellationToken.None)));

        results.Should().OnlyContain(r => r.Outcome == DeliveryOutcome.Delivered);
        var received = _server.Messages;
        received.Should().HaveCount(20);
        received.Select(r => TestMessages.Parse(r).MessageId).Should().OnlyHaveUniqueItems()
            .And.BeEquivalentTo(messages.Select(m => m.MessageId));
        _server.ConnectionCount.Should().BeInRange(1, 4);
        transport.Pool.ConnectionsOpened.Should().Be(_server.ConnectionCount);
    }

    [Fact]
    public async Task Sequential_sends_reuse_one_connection()
    {
        await using var transport = Transport();

        for (var i = 0; i < 5; i++)
        {
            (await transport.SendAsync(TestMessages.To($"c{i}@example.net"), CancellationToken.None)).Outcome
                .Should().Be(DeliveryOutcome.Delivered);
        }

        _server.ConnectionCount.Should().Be(1);
    }

    [Fact]
    public async Task A_delivered_result_carries_the_servers_reply()
    {
        await using var transport = Transport();

        var result = await transport.SendAsync(TestMessages.To("ann@example.net"), CancellationToken.None);

        result.Outcome.Should().Be(DeliveryOutcome.Delivered);
        result.Reason.Should().Contain("queued as");
        result.HardBounce.Should().BeFalse();
    }

    [Fact]
    public async Task A_451_reply_is_a_transient_failure_and_the_same_message_succeeds_on_retry()
    {
        await using var transport = Transport();
        var rowId = Guid.NewGuid();

        var first = await transport.SendAsync(TestMessages.To("tempfail@example.net", rowId), CancellationToken.None);
        var retry = await transport.SendAsync(TestMessages.To("tempfail@example.net", rowId), CancellationToken.None);

        first.Outcome.Should().Be(DeliveryOutcome.TransientFailure);
        first.Reason.Should().StartWith("451").And.Contain("Temporary local problem");
        retry.Outcome.Should().Be(DeliveryOutcome.Delivered);
        _server.Messages.Should().ContainSingle()
            .Which.Text.Should().Contain(MessageIdFactory.Create(rowId, "shop.example"));
    }

    [Fact]
    public async Task A_550_5_1_1_for_the_recipient_is_a_permanent_failure_with_a_hard_bounce_and_the_connection_stays_usable()
    {
        await using var transport = Transport(o => o.PoolSize = 1);

        var bounced = await transport.SendAsync(TestMessages.To("bounce@example.net"), CancellationToken.None);
        var next = await transport.SendAsync(TestMessages.To("ann@example.net"), CancellationToken.None);

        bounced.Outcome.Should().Be(DeliveryOutcome.PermanentFailure);
        bounced.HardBounce.Should().BeTrue();
        bounced.Reason.Should().StartWith("550").And.Contain("5.1.1");
        next.Outcome.Should().Be(DeliveryOutcome.Delivered);
        _server.ConnectionCount.Should().Be(1);
    }

    [Fact]
    public async Task A_policy_refusal_550_5_7_1_is_permanent_but_not_a_hard_bounce()
    {
        await using var transport = Transport();

        var result = await transport.SendAsync(TestMessages.To("policy@example.net"), CancellationToken.None);

        result.Outcome.Should().Be(DeliveryOutcome.PermanentFailure);
        result.HardBounce.Should().BeFalse();
    }

    [Fact]
    public async Task A_554_after_the_data_is_permanent_but_not_a_hard_bounce()
    {
        await using var transport = Transport();

        var result = await transport.SendAsync(TestMessages.To("reject@example.net"), CancellationToken.None);

        result.Outcome.Should().Be(DeliveryOutcome.PermanentFailure);
        result.HardBounce.Should().BeFalse();
        result.Reason.Should().StartWith("554");
    }

    [Fact]
    public async Task A_452_for_the_recipient_is_a_transient_failure()
    {
        await using var transport = Transport();

        var result = await transport.SendAsync(TestMessages.To("busy@example.net"), CancellationToken.None);

        result.Outcome.Should().Be(DeliveryOutcome.TransientFailure);
        result.Reason.Should().StartWith("452");
    }

    [Fact]
    public async Task A_stopped_server_gives_transient_failures_and_after_a_restart_the_pool_reconnects_and_delivers()
    {
        await using var transport = Transport(o => o.PoolSize = 2);
        (await transport.SendAsync(TestMessages.To("before@example.net"), CancellationToken.None)).Outcome
            .Should().Be(DeliveryOutcome.Delivered);

        await _server.StopAsync();
        var onDeadConnection = await transport.SendAsync(TestMessages.To("during1@example.net"), CancellationToken.None);
        var whileRefused = await transport.SendAsync(TestMessages.To("during2@example.net"), CancellationToken.None);
        await _server.RestartAsync();
        var afterRestart = await transport.SendAsync(TestMessages.To("after@example.net"), CancellationToken.None);

        onDeadConnection.Outcome.Should().Be(DeliveryOutcome.TransientFailure);
        whileRefused.Outcome.Should().Be(DeliveryOutcome.TransientFailure);
        afterRestart.Outcome.Should().Be(DeliveryOutcome.Delivered);
        _server.Messages.SelectMany(m => m.Recipients).Should().Equal("before@example.net", "after@example.net");
    }

    [Fact]
    public async Task A_connection_is_replaced_after_its_message_limit()
    {
        await using var transport = Transport(o =>
        {
            o.PoolSize = 1;
            o.MaxMessagesPerConnection = 2;
        });

        for (var i = 0; i < 5; i++)
        {
            (await transport.SendAsync(TestMessages.To($"c{i}@example.net"), CancellationToken.None)).Outcome
                .Should().Be(DeliveryOutcome.Delivered);
        }

        _server.ConnectionCount.Should().Be(3);
    }

    [Fact]
    public async Task A_connection_idle_longer_than_the_limit_is_checked_with_NOOP_before_it_is_reused()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 22, 8, 0, 0, TimeSpan.Zero));
        await using var transport = Transport(o => o.IdleRecycleAfter = TimeSpan.FromSeconds(60), clock);

        await transport.SendAsync(TestMessages.To("a@example.net"), CancellationToken.None);
        clock.Advance(TimeSpan.FromSeconds(30));
        await transport.SendAsync(TestMessages.To("b@example.net"), CancellationToken.None);
        var noopsWhileFresh = _server.NoopCount;
        clock.Advance(TimeSpan.FromMinutes(2));
        var result = await transport.SendAsync(TestMessages.To("c@example.net"), CancellationToken.None);

        noopsWhileFresh.Should().Be(0);
        _server.NoopCount.Should().Be(1);
        result.Outcome.Should().Be(DeliveryOutcome.Delivered);
        _server.ConnectionCount.Should().Be(1);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(2)]
    public async Task A_message_without_exactly_one_recipient_is_refused(int recipients)
    {
        await using var transport = Transport();
        var message = TestMessages.To("a@example.net");
        message.To.Clear();
        for (var i = 0; i < recipients; i++)
        {
            message.Bcc.Add(MailboxAddress.Parse($"r{i}@example.net"));
        }

        var send = () => transport.SendAsync(message, CancellationToken.None);

        await send.Should().ThrowAsync<ArgumentException>().WithParameterName("message");
    }

    [Fact]
    public async Task Mailboxes_inside_a_group_count_as_recipients()
    {
        await using var transport = Transport();
        var single = TestMessages.To("a@example.net");
        single.To.Clear();
        single.To.Add(new GroupAddress("Team", [MailboxAddress.Parse("a@example.net")]));
        var two = TestMessages.To("a@example.net");
        two.Cc.Add(new GroupAddress("Team", [MailboxAddress.Parse("b@example.net")]));

        var delivered = await transport.SendAsync(single, CancellationToken.None);
        var refused = () => transport.SendAsync(two, CancellationToken.None);

        delivered.Outcome.Should().Be(DeliveryOutcome.Delivered);
        _server.Messages.Should().ContainSingle().Which.Recipients.Should().Equal("a@example.net");
        await refused.Should().ThrowAsync<ArgumentException>().WithMessage("*this one has 2*");
    }

    [Fact]
    public async Task The_callers_cancellation_propagates_instead_of_becoming_a_result()
    {
        await using var transport = Transport();
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        var send = () => transport.SendAsync(TestMessages.To("a@example.net"), cancelled.Token);

        await send.Should().ThrowAsync<OperationCanceledException>();
    }

    [Fact]
    public async Task Cancelling_while_waiting_for_a_busy_pool_propagates_and_frees_no_slot_twice()
    {
        await using var transport = Transport(o => o.PoolSize = 1);
        var held = await transport.Pool.RentAsync(CancellationToken.None);
        using var cancel = new CancellationTokenSource();

        var waiting = transport.SendAsync(TestMessages.To("a@example.net"), cancel.Token);
        waiting.IsCompleted.Should().BeFalse();
        await cancel.CancelAsync();
        var wait = () => waiting;
        await wait.Should().ThrowAsync<OperationCanceledException>();
        await transport.Pool.ReturnAsync(held, healthy: true);
        var after = await transport.SendAsync(TestMessages.To("b@example.net"), CancellationToken.None);

        after.Outcome.Should().Be(DeliveryOutcome.Delivered);
        _server.ConnectionCount.Should().Be(1);
        _server.Messages.SelectMany(m => m.Recipients).Should().Equal("b@example.net");
    }

    [Fact]
    public async Task A_subject_or_display_name_with_line_breaks_never_adds_a_header_on_the_wire()
    {
        await using var transport = Transport();
        var message = TestMessages.To("a@example.net", subject: "Thanks!\r\nBcc: victim@example.org");
        message.To.Clear();
        message.To.Add(new MailboxAddress("Ann\r\nX-Injected: yes\nReply-To: evil@example.org", "ann@example.net"));
        message.From.Clear();
        message.From.Add(new MailboxAddress("Tea\0 Shop\r\n", "hello@shop.example"));

        var result = await transport.SendAsync(message, CancellationToken.None);

        result.Outcome.Should().Be(DeliveryOutcome.Delivered);
        var received = _server.Messages.Should().ContainSingle().Subject;
        var headerBlock = received.Text[..received.Text.IndexOf("\r\n\r\n", StringComparison.Ordinal)];
        var headerNames = headerBlock.Split("\r\n")
            .Where(line => line.Length > 0 && line[0] is not (' ' or '\t'))
            .Select(line => line[..line.IndexOf(':', StringComparison.Ordinal)])
            .ToList();
        headerNames.Should().NotContain(["Bcc", "X-Injected", "Reply-To"]);
        headerNames.Should().ContainSingle(n => n == "Subject");
        headerBlock.Should().NotContain("\0");
        var parsed = TestMessages.Parse(received);
        // MimeKit unfolds a line break it was given (no space), HeaderSafety turns one into a space: either way one line.
        parsed.Subject.Should().StartWith("Thanks!").And.EndWith("Bcc: victim@example.org").And.NotContainAny("\r", "\n");
        parsed.To.Mailboxes.Single().Name.Should().StartWith("Ann").And.EndWith("evil@example.org").And.NotContainAny("\r", "\n");
        parsed.From.Mailboxes.Single().Name.Should().Be("Tea Shop");
        received.Recipients.Should().Equal("ann@example.net");
    }

    [Fact]
    public async Task Sending_after_dispose_throws_ObjectDisposedException()
    {
        var transport = Transport();
        await transport.SendAsync(TestMessages.To("a@example.net"), CancellationToken.None);
        await transport.DisposeAsync();

        var send = () => transport.SendAsync(TestMessages.To("b@example.net"), CancellationToken.None);

        await send.Should().ThrowAsync<ObjectDisposedException>();
    }

    [Fact]
    public void Options_out_of_range_fail_when_the_transport_is_built()
    {
        var build = () => new SmtpEmailTransport(
            Options.Create(new SmtpOptions { Host = "localhost", PoolSize = 0 }),
            TimeProvider.System,
            NullLogger<SmtpEmailTransport>.Instance);

        build.Should().Throw<ValidationException>().WithMessage("*PoolSize*");
    }

    [Fact]
    public void Options_without_a_host_fail_when_the_transport_is_built()
    {
        var build = () => new SmtpEmailTransport(
            Options.Create(new SmtpOptions()),
            TimeProvider.System,
            NullLogger<SmtpEmailTransport>.Instance);

        build.Should().Throw<ValidationException>().WithMessage("*Host*");
    }

    private SmtpEmailTransport Transport(Action<SmtpOptions>? configure = null, TimeProvider? clock = null)
    {
        var options = new SmtpOptions
        {
            Host = "127.0.0.1",
            Port = _server.Port,
            Security = SmtpSecurity.None,
            PoolSize = 1,
            LocalDomain = "shop.example",
            ConnectTimeout = TimeSpan.FromSeconds(10),
            CommandTimeout = TimeSpan.FromSeconds(10),
        };
        configure?.Invoke(options);
        return new SmtpEmailTransport(Options.Create(options), clock ?? TimeProvider.System, NullLogger<SmtpEmailTransport>.Instance);
    }
}
