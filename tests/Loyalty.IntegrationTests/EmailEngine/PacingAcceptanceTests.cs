using Loyalty.Email;
using Loyalty.IntegrationTests.Hosting;
using Loyalty.IntegrationTests.Infrastructure;
using Loyalty.Stores;
using Microsoft.Extensions.Hosting;

namespace Loyalty.IntegrationTests.EmailEngine;

/// <summary>
/// Acceptance: marketing due in quiet hours or over the frequency cap is held and later delivered, none lost, and
/// every outcome is recorded with its time.
/// </summary>
[Collection("smtp")]
public sealed class PacingAcceptanceTests : IDisposable
{
    private static readonly TimeSpan Taipei = TimeSpan.FromHours(8);
    private readonly EngineHarness _h;

    public PacingAcceptanceTests(SmtpServerFixture smtp)
    {
        smtp.Clear();
        // 22:30 in Taipei: inside the default quiet hours (21:00-08:00).
        _h = new EngineHarness(smtp, new DateTimeOffset(2026, 3, 2, 22, 30, 0, Taipei));
        _h.SimpleTemplate("promo", "marketing", "Promo {{ event.properties.n }} for {{ customer.first_name }}", "<p>Hi {{ customer.first_name }}, promo {{ event.properties.n }}.</p>");
    }

    public void Dispose() => _h.Dispose();

    private Task<IHost> StartAsync() => LoyaltyTestHost.StartAsync(_h.Settings(email => email
        .Configure(o =>
        {
            o.FrequencyCap.MaxSends = 3;
            o.FrequencyCap.Period = TimeSpan.FromDays(7);
        })
        .AddFlow("promo", flow => flow.On("promo").Marketing().Send("promo"))));

    private Task PublishPromoAsync(IHost host, int n) => EngineHarness.PublishAsync(host, EngineHarness.Custom("promo", $"promo-{n}", "cust-mei", _h.Clock.GetUtcNow(), EngineHarness.Customer("mei@example.com")) with
    {
        Properties = System.Text.Json.JsonSerializer.SerializeToElement(new { n }),
    });

    [Fact]
    public async Task A_marketing_send_due_in_quiet_hours_is_held_until_eight_in_the_customers_zone_and_then_delivered()
    {
        using var host = await StartAsync();
        await PublishPromoAsync(host, 1);
        var scheduled = (await EngineHarness.StepsAsync(host)).Single();
        scheduled.State.Should().Be(StepState.Scheduled);
        scheduled.CreatedAt.Should().Be(_h.Clock.GetUtcNow());

        await EngineHarness.DispatchAsync(host);

        var held = (await EngineHarness.StepsAsync(host)).Single();
        held.State.Should().Be(StepState.Held);
        held.Reason.Should().Be("quiet-hours");
        held.AvailableAt.Should().Be(new DateTimeOffset(2026, 3, 3, 8, 0, 0, Taipei));
        held.UpdatedAt.Should().Be(_h.Clock.GetUtcNow());
        (await _h.Smtp.ReadMessagesAsync()).Should().BeEmpty();

        _h.Clock.SetUtcNow(new DateTimeOffset(2026, 3, 3, 7, 59, 0, Taipei));
        await EngineHarness.DispatchAsync(host);
        (await _h.Smtp.ReadMessagesAsync()).Should().BeEmpty();

        _h.Clock.SetUtcNow(new DateTimeOffset(2026, 3, 3, 8, 0, 0, Taipei));
        await EngineHarness.DispatchAsync(host);

        (await _h.Smtp.WaitForMessagesAsync(1, EngineHarness.MailTimeout)).Should().ContainSingle().Which.Subject.Should().Be("Promo 1 for Mei");
        var sent = (await EngineHarness.StepsAsync(host)).Single();
        sent.State.Should().Be(StepState.Sent);
        sent.CompletedAt.Should().Be(new DateTimeOffset(2026, 3, 3, 8, 0, 0, Taipei));
    }

    [Fact]
    public async Task A_fourth_marketing_send_in_seven_days_is_held_and_delivered_when_the_window_frees()
    {
        _h.Clock.SetUtcNow(new DateTimeOffset(2026, 3, 3, 10, 0, 0, Taipei));
        using var host = await StartAsync();
        for (var n = 1; n <= 4; n++)
        {
            await PublishPromoAsync(host, n);
        }

        await EngineHarness.DispatchAsync(host);

        (await _h.Smtp.WaitForMessagesAsync(3, EngineHarness.MailTimeout)).Should().HaveCount(3);
        var steps = await EngineHarness.StepsAsync(host);
        steps.Count(s => s.State == StepState.Sent).Should().Be(3);
        var held = steps.Single(s => s.State == StepState.Held);
        held.Reason.Should().Be("frequency-cap");
        held.AvailableAt.Should().Be(new DateTimeOffset(2026, 3, 10, 10, 0, 0, Taipei));

        _h.Clock.Advance(TimeSpan.FromDays(7) - TimeSpan.FromMinutes(1));
        await EngineHarness.DispatchAsync(host);
        (await _h.Smtp.ReadMessagesAsync()).Should().HaveCount(3);

        _h.Clock.Advance(TimeSpan.FromMinutes(1));
        await EngineHarness.DispatchAsync(host);

        var messages = await _h.Smtp.WaitForMessagesAsync(4, EngineHarness.MailTimeout);
        messages.Select(m => m.Subject).Should().BeEquivalentTo(["Promo 1 for Mei", "Promo 2 for Mei", "Promo 3 for Mei", "Promo 4 for Mei"]);
        (await EngineHarness.StepsAsync(host)).Should().OnlyContain(s => s.State == StepState.Sent && s.CompletedAt != null && s.MessageId != null);
    }

    [Fact]
    public async Task Transactional_mail_ignores_quiet_hours_and_the_marketing_cap()
    {
        _h.SimpleTemplate("receipt", "transactional", "Receipt {{ event.properties.n }}", "<p>Thanks.</p>");
        using var host = await LoyaltyTestHost.StartAsync(_h.Settings(email => email
            .AddFlow("receipt", flow => flow.On("receipt").Transactional().Send("receipt"))));
        for (var n = 1; n <= 5; n++)
        {
            await EngineHarness.PublishAsync(host, EngineHarness.Custom("receipt", $"receipt-{n}", "cust-mei", _h.Clock.GetUtcNow(), EngineHarness.Customer("mei@example.com")) with
            {
                Properties = System.Text.Json.JsonSerializer.SerializeToElement(new { n }),
            });
        }

        await EngineHarness.DispatchAsync(host);

        (await _h.Smtp.WaitForMessagesAsync(5, EngineHarness.MailTimeout)).Should().HaveCount(5);
    }
}
