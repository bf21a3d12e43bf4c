using Loyalty.Email;
using Loyalty.IntegrationTests.Hosting;
using Loyalty.IntegrationTests.Infrastructure;
using Loyalty.Stores;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Loyalty.IntegrationTests.EmailEngine;

/// <summary>
/// Acceptance: an unsubscribe between scheduling and due time means no send; a 550 reply suppresses the address;
/// a 451 reply is retried with backoff and delivered with the same Message-ID.
/// </summary>
[Collection("smtp")]
public sealed class ConsentAndBounceAcceptanceTests : IDisposable
{
    private static readonly DateTimeOffset Start = new(2026, 3, 2, 10, 0, 0, TimeSpan.FromHours(8));
    private readonly EngineHarness _h;

    public ConsentAndBounceAcceptanceTests(SmtpServerFixture smtp)
    {
        smtp.Clear();
        _h = new EngineHarness(smtp, Start);
        _h.SimpleTemplate("promo", "marketing", "News for {{ customer.first_name }}", "<p>Hi {{ customer.first_name }}.</p>");
        _h.SimpleTemplate("receipt", "transactional", "Receipt for {{ customer.first_name }}", "<p>Thanks, {{ customer.first_name }}.</p>");
    }

    public void Dispose() => _h.Dispose();

    private TestHostSettings Settings(SmtpServerFixture? smtp = null) => _h.Settings(
        email => email
            .AddFlow("promo", flow => flow.On("promo").Marketing().Wait(TimeSpan.FromDays(2)).Send("promo"))
            .AddFlow("receipt", flow => flow.On("receipt").Transactional().Send("receipt")),
        smtp: smtp);

    private Task PublishAsync(IHost host, string name, string id, string email = "mei@example.com", string customerId = "cust-mei")
        => EngineHarness.PublishAsync(host, EngineHarness.Custom(name, id, customerId, _h.Clock.GetUtcNow(), EngineHarness.Customer(email)));

    [Fact]
    public async Task An_unsubscribe_between_scheduling_and_the_due_time_means_no_send()
    {
        using var host = await LoyaltyTestHost.StartAsync(Settings());
        await PublishAsync(host, "promo", "promo-1");
        _h.Clock.Advance(TimeSpan.FromDays(1));
        await using (var scope = host.Services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<ISuppressionStore>().AddAsync(
                new Suppression { NormalizedEmail = "mei@example.com", Category = "marketing", Reason = "unsubscribed", CreatedAt = _h.Clock.GetUtcNow() }, CancellationToken.None);
        }

        _h.Clock.Advance(TimeSpan.FromDays(1));
        await EngineHarness.DispatchAsync(host);

        var step = (await EngineHarness.StepsAsync(host)).Single();
        step.State.Should().Be(StepState.Skipped);
        step.Reason.Should().Be("suppressed: unsubscribed");
        step.CompletedAt.Should().Be(_h.Clock.GetUtcNow());
        (await _h.Smtp.ReadMessagesAsync()).Should().BeEmpty();
    }

    [Fact]
    public async Task A_550_reply_fails_the_send_and_suppresses_the_address_for_later_sends()
    {
        await using var smtp = await SmtpServerFixture.StartAsync(new SmtpServerOptions { RejectRecipientSubstrings = ["bounce"] });
        using var host = await LoyaltyTestHost.StartAsync(Settings(smtp));
        await PublishAsync(host, "receipt", "receipt-1", "bounce@example.com", "cust-bounce");
        await PublishAsync(host, "receipt", "receipt-ok", "ok@example.com", "cust-ok");
        await EngineHarness.DispatchAsync(host);

        var failed = (await EngineHarness.StepsAsync(host)).Single(s => s.CustomerId == "cust-bounce");
        failed.State.Should().Be(StepState.Failed);
        failed.Reason.Should().StartWith("rejected:").And.Contain("550");
        await using (var scope = host.Services.CreateAsyncScope())
        {
            (await scope.ServiceProvider.GetRequiredService<ISuppressionStore>().GetAsync("bounce@example.com", CancellationToken.None))
                .Should().ContainSingle().Which.Reason.Should().Be("hard-bounce");
        }

        await PublishAsync(host, "receipt", "receipt-2", "bounce@example.com", "cust-bounce");
        await EngineHarness.DispatchAsync(host);

        var later = (await EngineHarness.StepsAsync(host)).Single(s => s.TriggerEventId == "receipt-2");
        later.State.Should().Be(StepState.Skipped);
        later.Reason.Should().Be("suppressed: hard-bounce");
        (await smtp.WaitForMessagesAsync(1, EngineHarness.MailTimeout)).Should().ContainSingle()
            .Which.To.Mailboxes.Single().Address.Should().Be("ok@example.com");
    }

    [Fact]
    public async Task A_451_reply_is_held_with_backoff_and_delivered_on_the_retry_with_the_same_message_id()
    {
        await using var smtp = await SmtpServerFixture.StartAsync(new SmtpServerOptions { TempFailPercent = 100 });
        using var host = await LoyaltyTestHost.StartAsync(Settings(smtp));
        await PublishAsync(host, "receipt", "receipt-1");

        await EngineHarness.DispatchAsync(host);

        var held = (await EngineHarness.StepsAsync(host)).Single();
        held.State.Should().Be(StepState.Held);
        held.Reason.Should().StartWith("transient:");
        held.AvailableAt.Should().BeAfter(_h.Clock.GetUtcNow());
        held.MessageId.Should().NotBeNullOrEmpty();
        (await smtp.ReadMessagesAsync()).Should().BeEmpty();

        await EngineHarness.DispatchAsync(host);
        (await EngineHarness.StepsAsync(host)).Single().State.Should().Be(StepState.Held, "the backoff has not passed");

        _h.Clock.SetUtcNow(held.AvailableAt);
        await EngineHarness.DispatchAsync(host);

        var delivered = (await smtp.WaitForMessagesAsync(1, EngineHarness.MailTimeout)).Should().ContainSingle().Subject;
        delivered.MessageId.Should().Be(held.MessageId);
        var sent = (await EngineHarness.StepsAsync(host)).Single();
        sent.State.Should().Be(StepState.Sent);
        sent.MessageId.Should().Be(held.MessageId);
        sent.Attempts.Should().Be(2);
    }
}
