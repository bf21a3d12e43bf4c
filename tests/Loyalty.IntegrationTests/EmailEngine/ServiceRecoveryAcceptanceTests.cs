using System.Collections.Concurrent;
using Loyalty.Email;
using Loyalty.Email.Consent;
using Loyalty.Email.Flows;
using Loyalty.Events;
using Loyalty.IntegrationTests.Hosting;
using Loyalty.IntegrationTests.Infrastructure;
using Loyalty.Stores;
using Microsoft.Extensions.DependencyInjection;

namespace Loyalty.IntegrationTests.EmailEngine;

/// <summary>
/// Acceptance: apology delivered and credit callback invoked once per issue, within one dispatcher round of
/// publishing; the cap per customer per period holds; marketing pauses after an issue.
/// </summary>
[Collection("smtp")]
public sealed class ServiceRecoveryAcceptanceTests : IDisposable
{
    private static readonly DateTimeOffset Start = new(2026, 5, 4, 10, 0, 0, TimeSpan.FromHours(7));
    private readonly EngineHarness _h;
    private readonly CountingCreditIssuer _credits = new();

    public ServiceRecoveryAcceptanceTests(SmtpServerFixture smtp)
    {
        smtp.Clear();
        _h = new EngineHarness(smtp, Start);
    }

    public void Dispose() => _h.Dispose();

    private TestHostSettings Settings(Action<LoyaltyEmailBuilder>? more = null) => _h.Settings(
        email =>
        {
            email.AddServiceRecovery();
            more?.Invoke(email);
        },
        new Dictionary<string, string?>
        {
            ["Loyalty:Email:ServiceRecovery:MaxPerCustomer"] = "2",
            ["Loyalty:Email:ServiceRecovery:Period"] = "30.00:00:00",
        },
        services => services.AddSingleton<ICreditIssuer>(_credits));

    private ServiceIssueDetected Issue(string id, DateTimeOffset? at = null, string customerId = "cust-somchai", string email = "somchai@example.co.th") => new()
    {
        EventId = "issue:" + id,
        OccurredAt = at ?? _h.Clock.GetUtcNow(),
        CustomerId = customerId,
        Customer = EngineHarness.Customer(email, "Somchai", "th", "Asia/Bangkok"),
        IssueId = id,
        Kind = "late_delivery",
        Severity = ServiceIssueSeverity.Medium,
        OrderId = "A-77",
        SuggestedCredit = 100m,
        Currency = "THB",
    };

    [Fact]
    public async Task An_issue_gets_one_apology_and_one_credit_within_one_dispatcher_round_even_when_published_twice()
    {
        using var host = await LoyaltyTestHost.StartAsync(Settings());

        (await EngineHarness.PublishAsync(host, Issue("late-77"))).ScheduledStepIds.Should().HaveCount(2);
        (await EngineHarness.PublishAsync(host, Issue("late-77"))).Accepted.Should().BeFalse();
        await EngineHarness.DispatchAsync(host);

        var apology = (await _h.Smtp.WaitForMessagesAsync(1, EngineHarness.MailTimeout)).Should().ContainSingle().Subject;
        apology.To.Mailboxes.Single().Address.Should().Be("somchai@example.co.th");
        apology.HtmlBody.Should().Contain("Somchai").And.Contain("฿100.00").And.Contain("A-77");
        _credits.Calls.Should().ContainSingle().Which.Should().Match<CreditRequest>(r => r.SuggestedAmount == 100m && r.Currency == "THB");
        (await EngineHarness.StepsAsync(host)).Should().OnlyContain(s => s.State == StepState.Sent);

        await EngineHarness.DispatchAsync(host);
        _credits.Calls.Should().ContainSingle();
        (await _h.Smtp.ReadMessagesAsync()).Should().ContainSingle();
    }

    [Fact]
    public async Task Issues_beyond_two_in_thirty_days_get_neither_apology_nor_credit_and_are_recorded_as_capped()
    {
        using var host = await LoyaltyTestHost.StartAsync(Settings());

        // Three issues a minute apart, then a fourth ten days later: only the first two count.
        for (var n = 1; n <= 3; n++)
        {
            await EngineHarness.PublishAsync(host, Issue($"i-{n}", Start.AddMinutes(n)));
        }

        await EngineHarness.DispatchAsync(host);
        _h.Clock.Advance(TimeSpan.FromDays(10));
        await EngineHarness.PublishAsync(host, Issue("i-4"));
        await EngineHarness.DispatchAsync(host);

        (await _h.Smtp.WaitForMessagesAsync(2, EngineHarness.MailTimeout)).Should().HaveCount(2);
        _credits.Calls.Select(c => c.Reason).Should().BeEquivalentTo(["service-recovery:issue:i-1", "service-recovery:issue:i-2"]);
        var steps = await EngineHarness.StepsAsync(host, LoyaltyEmailBuilder.ServiceRecoveryFlowId);
        steps.Where(s => s.TriggerKey is "issue:i-1" or "issue:i-2").Should().HaveCount(4).And.OnlyContain(s => s.State == StepState.Sent);
        steps.Where(s => s.TriggerKey is "issue:i-3" or "issue:i-4").Should().HaveCount(4)
            .And.OnlyContain(s => s.State == StepState.Skipped && s.Reason == ServiceRecoveryOptions.CapReason && s.CompletedAt != null);
    }

    [Fact]
    public async Task The_cap_frees_up_once_the_period_has_passed()
    {
        using var host = await LoyaltyTestHost.StartAsync(Settings());
        await EngineHarness.PublishAsync(host, Issue("i-1"));
        await EngineHarness.PublishAsync(host, Issue("i-2"));
        await EngineHarness.DispatchAsync(host);

        _h.Clock.Advance(TimeSpan.FromDays(31));
        await EngineHarness.PublishAsync(host, Issue("i-3"));
        await EngineHarness.DispatchAsync(host);

        (await _h.Smtp.WaitForMessagesAsync(3, EngineHarness.MailTimeout)).Should().HaveCount(3);
        _credits.Calls.Should().HaveCount(3);
    }

    [Fact]
    public async Task The_cap_counts_per_customer()
    {
        using var host = await LoyaltyTestHost.StartAsync(Settings());
        foreach (var id in new[] { "a-1", "a-2" })
        {
            await EngineHarness.PublishAsync(host, Issue(id));
        }

        await EngineHarness.PublishAsync(host, Issue("b-1", customerId: "cust-niran", email: "niran@example.co.th"));
        await EngineHarness.DispatchAsync(host);

        (await _h.Smtp.WaitForMessagesAsync(3, EngineHarness.MailTimeout)).Select(m => m.To.Mailboxes.Single().Address)
            .Should().BeEquivalentTo(["somchai@example.co.th", "somchai@example.co.th", "niran@example.co.th"]);
        _credits.Calls.Should().HaveCount(3);
    }

    [Fact]
    public async Task Marketing_due_during_the_pause_after_an_issue_is_held_and_delivered_when_the_pause_ends()
    {
        _h.SimpleTemplate("promo", "marketing", "New teas for {{ customer.first_name }}", "<p>Hi {{ customer.first_name }}, new teas are in.</p>");
        using var host = await LoyaltyTestHost.StartAsync(Settings(email => email
            .Configure(o => o.ServiceIssuePause = TimeSpan.FromDays(14))
            .AddFlow("promo", flow => flow.On("promo").Marketing().Send("promo"))));
        await EngineHarness.PublishAsync(host, Issue("late-77"));
        await EngineHarness.DispatchAsync(host);
        await _h.Smtp.WaitForMessagesAsync(1, EngineHarness.MailTimeout);

        _h.Clock.Advance(TimeSpan.FromDays(2));
        await EngineHarness.PublishAsync(host, EngineHarness.Custom("promo", "promo-1", "cust-somchai", _h.Clock.GetUtcNow()));
        await EngineHarness.DispatchAsync(host);

        var held = (await EngineHarness.StepsAsync(host, "promo")).Single();
        held.State.Should().Be(StepState.Held);
        held.Reason.Should().Be(ConsentGate.ServiceIssuePauseReason);
        held.AvailableAt.Should().Be(Start.AddDays(14));
        (await _h.Smtp.ReadMessagesAsync()).Should().ContainSingle("only the apology went out");

        _h.Clock.Advance(TimeSpan.FromDays(12));
        await EngineHarness.DispatchAsync(host);

        var messages = await _h.Smtp.WaitForMessagesAsync(2, EngineHarness.MailTimeout);
        messages[^1].Subject.Should().Be("New teas for Somchai");
        (await EngineHarness.StepsAsync(host, "promo")).Single().State.Should().Be(StepState.Sent);
    }

    [Fact]
    public async Task A_marketing_step_that_exits_on_an_open_service_issue_is_skipped_with_that_reason()
    {
        _h.SimpleTemplate("review-ask", "marketing", "How was it?", "<p>Hi {{ customer.first_name }}, how was your order?</p>");
        using var host = await LoyaltyTestHost.StartAsync(Settings(email => email
            .AddFlow("review-ask", flow => flow.On("delivered").Marketing()
                .Wait(TimeSpan.FromDays(3)).ExitWhen(BuiltInCondition.HasOpenServiceIssue).Send("review-ask"))));
        await EngineHarness.PublishAsync(host, EngineHarness.Custom("delivered", "delivered-1", "cust-somchai", Start, EngineHarness.Customer("somchai@example.co.th", "Somchai", "th", "Asia/Bangkok")));
        _h.Clock.Advance(TimeSpan.FromDays(1));
        await EngineHarness.PublishAsync(host, Issue("late-77"));
        await EngineHarness.DispatchAsync(host);

        _h.Clock.Advance(TimeSpan.FromDays(2));
        await EngineHarness.DispatchAsync(host);

        var step = (await EngineHarness.StepsAsync(host, "review-ask")).Single();
        step.State.Should().Be(StepState.Skipped);
        step.Reason.Should().Be("open-service-issue");
        (await _h.Smtp.WaitForMessagesAsync(1, EngineHarness.MailTimeout)).Should().ContainSingle("only the apology went out");
    }

    private sealed class CountingCreditIssuer : ICreditIssuer
    {
        private readonly ConcurrentQueue<CreditRequest> _calls = new();

        public IReadOnlyList<CreditRequest> Calls => [.. _calls];

        public Task<string?> IssueAsync(CreditRequest request, CancellationToken cancellationToken)
        {
            _calls.Enqueue(request);
            return Task.FromResult<string?>("CREDIT-" + _calls.Count);
        }
    }
}
