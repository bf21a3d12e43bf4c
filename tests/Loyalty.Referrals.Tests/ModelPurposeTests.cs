using Loyalty.Email.Composition;
using Loyalty.Events;
using Loyalty.Referrals.Codes;

namespace Loyalty.Referrals.Tests;

/// <summary>
/// Intake plans (conditions, due times) inside the shop's open transaction when the shop publishes in its unit of
/// work; a referral code made then through another connection waited for that transaction (on SQLite until its busy
/// timeout, three times). Planning only reads; rendering makes the code.
/// </summary>
public sealed class ModelPurposeTests
{
    private static readonly OrderPlaced Order = new()
    {
        EventId = "o", OccurredAt = ReferralHarness.Start, CustomerId = "alice", OrderId = "o-1", Currency = "TWD", Total = 1m,
        Customer = new CustomerSnapshot { Email = "alice@example.com", FirstName = "Alice" },
        Lines = [new OrderLine { Sku = "TEA-1", ProductName = "Oolong", Quantity = 1, UnitPrice = 1m }],
    };

    [Fact]
    public async Task A_planning_model_for_a_customer_without_a_code_has_no_referral_root_and_makes_no_code()
    {
        await using var harness = new ReferralHarness();

        var model = harness.Get<TemplateModelFactory>().Create(Order, null, purpose: TemplateModelPurpose.Planning);

        model.Root.Should().NotContainKey("referral");
        (await harness.Get<ReferralCodes>().FindAsync("alice")).Should().BeNull("planning writes nothing");
    }

    [Fact]
    public async Task A_planning_model_shows_an_existing_code_and_a_render_model_makes_a_missing_one()
    {
        await using var harness = new ReferralHarness();
        var factory = harness.Get<TemplateModelFactory>();

        var rendered = factory.Create(Order, null);
        var made = await harness.Get<ReferralCodes>().FindAsync("alice");
        made.Should().NotBeNull("a message needs the code, so rendering makes it");
        ((Dictionary<string, object?>)rendered.Root["referral"]!)["code"].Should().Be(made!.Code);

        var planned = factory.Create(Order, null, purpose: TemplateModelPurpose.Planning);
        ((Dictionary<string, object?>)planned.Root["referral"]!)["code"].Should().Be(made.Code);
    }
}
