using Loyalty.Email;
using Loyalty.Email.Flows;
using Loyalty.EntityFrameworkCore;
using Loyalty.Events;
using Loyalty.IntegrationTests.Hosting;
using Loyalty.IntegrationTests.Infrastructure;
using Loyalty.Stores;
using Loyalty.Validation;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Loyalty.IntegrationTests.EmailEngine;

/// <summary>
/// The dry run, resolved from DI the way support tools would: which flows a customer would enter for an event,
/// which steps would be scheduled when, and why the others would not — without writing anything.
/// </summary>
[Collection("smtp")]
public sealed class FlowDryRunAcceptanceTests : IDisposable
{
    private static readonly DateTimeOffset Start = new(2026, 3, 2, 9, 30, 0, TimeSpan.FromHours(8));
    private readonly EngineHarness _h;

    public FlowDryRunAcceptanceTests(SmtpServerFixture smtp)
    {
        _h = new EngineHarness(smtp, Start);
    }

    public void Dispose() => _h.Dispose();

    private Task<IHost> StartAsync() => LoyaltyTestHost.StartAsync(_h.Settings(email => email
        .AddFlow("starter-kit-checkin", flow => flow.On(EventTypes.OrderPlaced).WhenOrderHasTag("starter-kit").Transactional()
            .Wait(new FlowWait { Duration = TimeSpan.FromDays(30), AtLocalTime = new TimeOnly(10, 0) })
            .ExitWhen(BuiltInCondition.OrderedAgainSinceTrigger).Send("starter-kit-checkin"))
        .AddFlow("welcome", flow => flow.On(EventTypes.MilestoneReached).WhenMilestone("first-order").Reenter(FlowReentry.OnceEver).Marketing()
            .Send("milestone-congratulation"))
        .AddFlow("fifth-order", flow => flow.On(EventTypes.MilestoneReached).WhenMilestone("order-count-5").Marketing().Send("milestone-congratulation"))
        .AddServiceRecovery()));

    private static OrderPlaced Order(string id, params string[] tags) => new()
    {
        EventId = "order:" + id,
        OccurredAt = Start,
        CustomerId = "cust-mei",
        Customer = EngineHarness.Customer("mei@example.com"),
        OrderId = id,
        Currency = "TWD",
        Total = 1200m,
        Lines = [new OrderLine { Sku = "kit", ProductName = "Starter Kit", Quantity = 1, UnitPrice = 1200m, Tags = tags }],
    };

    private static async Task<FlowDryRunReport> DryRunAsync(IHost host, LoyaltyEvent e)
    {
        await using var scope = host.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<FlowDryRun>().RunAsync(e);
    }

    [Fact]
    public async Task A_first_starter_kit_order_would_enter_the_check_in_and_the_welcome_and_says_why_not_the_others()
    {
        using var host = await StartAsync();

        var report = await DryRunAsync(host, Order("1001", "starter-kit"));

        report.Milestones.Should().Equal("first-order");
        var checkIn = report.For("starter-kit-checkin")!;
        checkIn.Verdict.Should().Be(FlowDryRunVerdict.Entered);
        checkIn.TriggerKey.Should().Be("order:1001");
        checkIn.Steps.Should().ContainSingle().Which.Should().BeEquivalentTo(new FlowDryRunStep(0, new DateTimeOffset(2026, 4, 1, 10, 0, 0, TimeSpan.FromHours(8)), "send template 'starter-kit-checkin'", ["ordered-again"]));
        report.For("welcome")!.Verdict.Should().Be(FlowDryRunVerdict.Entered);
        report.For("fifth-order")!.Should().Match<FlowDryRunResult>(r => r.Verdict == FlowDryRunVerdict.EntryConditionFailed && r.Reason!.Contains("milestone:order-count-5"));
        report.For(LoyaltyEmailBuilder.ServiceRecoveryFlowId)!.Should().Match<FlowDryRunResult>(r => r.Verdict == FlowDryRunVerdict.TriggerMismatch && r.Reason!.Contains("ServiceIssueDetected"));
        report.Entered.Select(r => r.FlowId).Should().BeEquivalentTo(["starter-kit-checkin", "welcome"]);

        await using var scope = host.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<LoyaltyDbContext>();
        (await db.ScheduledSteps.CountAsync()).Should().Be(0, "a dry run writes nothing");
        (await db.Customers.CountAsync()).Should().Be(0);
        (await db.ProcessedEvents.CountAsync()).Should().Be(0);
    }

    [Fact]
    public async Task An_order_without_the_tag_names_the_failed_entry_condition()
    {
        using var host = await StartAsync();

        var report = await DryRunAsync(host, Order("1001"));

        report.For("starter-kit-checkin")!.Should().Match<FlowDryRunResult>(r =>
            r.Verdict == FlowDryRunVerdict.EntryConditionFailed && r.Reason == "entry condition 'order-has-tag:starter-kit' does not hold" && r.Steps.Count == 0);
    }

    [Fact]
    public async Task Re_entry_rules_are_reported_after_the_customer_entered()
    {
        using var host = await StartAsync();
        await EngineHarness.PublishAsync(host, Order("1001", "starter-kit"));

        var again = await DryRunAsync(host, Order("1001", "starter-kit") with { EventId = "order:1001-resent" });
        var second = await DryRunAsync(host, Order("1002", "starter-kit"));
        var duplicate = await DryRunAsync(host, Order("1001", "starter-kit"));

        again.For("starter-kit-checkin")!.Should().Match<FlowDryRunResult>(r => r.Verdict == FlowDryRunVerdict.Reentry && r.Reason!.Contains("order:1001"));
        second.For("starter-kit-checkin")!.Verdict.Should().Be(FlowDryRunVerdict.Entered);
        second.Milestones.Should().BeEmpty("the first order was the first-order milestone");
        duplicate.Flows.Should().OnlyContain(r => r.Verdict == FlowDryRunVerdict.DuplicateEvent);
    }

    [Fact]
    public async Task A_once_ever_flow_reports_re_entry_for_a_snapshot_customer_who_entered_before()
    {
        using var host = await StartAsync();
        await EngineHarness.PublishAsync(host, Order("1001"));

        // The shop asks about a custom milestone it would publish itself.
        await using var scope = host.Services.CreateAsyncScope();
        var report = await scope.ServiceProvider.GetRequiredService<FlowDryRun>().RunAsync(
            new MilestoneReached { EventId = "m-1", OccurredAt = Start, CustomerId = "cust-mei", Milestone = "first-order" },
            new LoyaltyCustomer { CustomerId = "cust-mei", Email = "mei@example.com", NormalizedEmail = "mei@example.com", TimeZone = "Asia/Taipei" },
            []);

        report.For("welcome")!.Should().Match<FlowDryRunResult>(r => r.Verdict == FlowDryRunVerdict.Reentry && r.Reason!.Contains("once ever"));
    }

    [Fact]
    public async Task A_dry_run_of_an_invalid_event_is_refused_like_publishing_it()
    {
        using var host = await StartAsync();

        var act = () => DryRunAsync(host, Order("1001") with { Currency = "XXY" });

        await act.Should().ThrowAsync<EventValidationException>();
    }
}
