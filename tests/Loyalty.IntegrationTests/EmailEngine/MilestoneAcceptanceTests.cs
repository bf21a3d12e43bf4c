using Loyalty.Email;
using Loyalty.Email.Flows;
using Loyalty.Events;
using Loyalty.IntegrationTests.Hosting;
using Loyalty.IntegrationTests.Infrastructure;
using Loyalty.Stores;
using Microsoft.Extensions.Hosting;

namespace Loyalty.IntegrationTests.EmailEngine;

/// <summary>Acceptance: the 5th order triggers the congratulation once, even when events arrive twice or out of order.</summary>
[Collection("smtp")]
public sealed class MilestoneAcceptanceTests : IDisposable
{
    // 10:00 in Taipei: outside quiet hours, so the marketing congratulation goes out at once.
    private static readonly DateTimeOffset Start = new(2026, 3, 2, 10, 0, 0, TimeSpan.FromHours(8));
    private readonly EngineHarness _h;

    public MilestoneAcceptanceTests(SmtpServerFixture smtp)
    {
        smtp.Clear();
        _h = new EngineHarness(smtp, Start);
    }

    public void Dispose() => _h.Dispose();

    private static void BuiltInMilestoneFlow(LoyaltyEmailBuilder email) => email.AddFlow("fifth-order", flow => flow
        .On(EventTypes.MilestoneReached)
        .WhenMilestone("order-count-5")
        .Marketing()
        .Send("milestone-congratulation"));

    private static void LiquidMilestoneFlow(LoyaltyEmailBuilder email) => email.AddFlow("fifth-order", flow => flow
        .On(EventTypes.MilestoneReached)
        .WhenLiquid("milestone.key == \"order-count-5\"")
        .Marketing()
        .Send("milestone-congratulation"));

    private static OrderPlaced Order(int n) => new()
    {
        EventId = $"order-placed:{n}",
        OccurredAt = Start.AddDays(-10 + n),
        CustomerId = "cust-mei",
        Customer = EngineHarness.Customer("mei@example.com"),
        OrderId = $"A-{n}",
        Currency = "TWD",
        Total = 500m + n,
        Lines = [new OrderLine { Sku = "tea", ProductName = "Oolong", Quantity = 1, UnitPrice = 500m + n }],
    };

    [Theory]
    [InlineData("built-in")]
    [InlineData("liquid")]
    public async Task The_fifth_order_sends_one_congratulation_when_orders_arrive_shuffled_and_twice(string condition)
    {
        using var host = await LoyaltyTestHost.StartAsync(_h.Settings(condition == "built-in" ? BuiltInMilestoneFlow : LiquidMilestoneFlow));
        int[] arrival = [3, 1, 3, 6, 2, 5, 1, 4, 6, 5, 2, 4];
        var milestones = new List<string>();
        foreach (var n in arrival)
        {
            milestones.AddRange((await EngineHarness.PublishAsync(host, Order(n))).Milestones);
        }

        await EngineHarness.DispatchAsync(host);
        await EngineHarness.DispatchAsync(host);

        milestones.Should().BeEquivalentTo(["first-order", "order-count-5"]);
        var messages = await _h.Smtp.WaitForMessagesAsync(1, EngineHarness.MailTimeout);
        messages.Should().ContainSingle().Which.Subject.Should().Contain("order-count-5");
        (await EngineHarness.StepsAsync(host, "fifth-order")).Should().ContainSingle().Which.State.Should().Be(StepState.Sent);
    }

    [Fact]
    public async Task The_fifth_order_sends_one_congratulation_when_orders_are_published_concurrently_from_several_scopes()
    {
        using var host = await LoyaltyTestHost.StartAsync(_h.Settings(BuiltInMilestoneFlow));

        // Every order twice, all at once, each publish in its own scope: intake retries on customer version conflicts.
        var publishes = Enumerable.Range(1, 6).Concat(Enumerable.Range(1, 6))
            .Select(n => Task.Run(() => EngineHarness.PublishAsync(host, Order(n))))
            .ToList();
        var results = await Task.WhenAll(publishes);

        results.Count(r => r.Accepted).Should().Be(6);
        results.SelectMany(r => r.Milestones).Should().BeEquivalentTo(["first-order", "order-count-5"]);
        await EngineHarness.DispatchAsync(host);
        await EngineHarness.DispatchAsync(host);
        (await _h.Smtp.WaitForMessagesAsync(1, EngineHarness.MailTimeout)).Should().ContainSingle();
        (await EngineHarness.StepsAsync(host, "fifth-order")).Should().ContainSingle().Which.State.Should().Be(StepState.Sent);
    }

    [Fact]
    public async Task Four_orders_send_no_congratulation()
    {
        using var host = await LoyaltyTestHost.StartAsync(_h.Settings(BuiltInMilestoneFlow));
        foreach (var n in new[] { 4, 2, 1, 3, 2 })
        {
            await EngineHarness.PublishAsync(host, Order(n));
        }

        await EngineHarness.DispatchAsync(host);

        (await EngineHarness.StepsAsync(host, "fifth-order")).Should().BeEmpty();
        (await _h.Smtp.ReadMessagesAsync()).Should().BeEmpty();
    }
}
