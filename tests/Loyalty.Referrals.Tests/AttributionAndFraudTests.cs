using Loyalty.Referrals.Attribution;
using Loyalty.Referrals.Codes;
using Loyalty.Referrals.Fraud;
using Loyalty.Stores;

namespace Loyalty.Referrals.Tests;

public sealed class AttributionAndFraudTests
{
    private static async Task<string> AdvocateCodeAsync(ReferralHarness harness, string advocate = "alice", string email = "alice@example.com")
    {
        harness.Customers.Add(advocate, email);
        return (await harness.Get<ReferralCodes>().GetOrCreateAsync(advocate)).Code;
    }

    private static Task<ReferralAttribution?> AttributionOf(ReferralHarness harness, string friend) =>
        harness.Get<IReferralAttributionStore>().FindByFriendAsync(friend, CancellationToken.None);

    private static async Task<ReferralFraudDecision> OnlyDecisionAsync(ReferralHarness harness, string friend) =>
        (await harness.Get<IReferralFraudStore>().GetByFriendAsync(friend, CancellationToken.None)).Should().ContainSingle().Subject;

    [Fact]
    public async Task A_friends_first_order_within_the_window_after_a_visit_is_attributed_to_the_advocate()
    {
        await using var harness = new ReferralHarness();
        var code = await AdvocateCodeAsync(harness);
        await harness.Get<ReferralVisits>().RecordVisitAsync(new ReferralVisitRequest(code.ToLowerInvariant(), "v-1", "203.0.113.9", "line"));
        harness.Time.Advance(TimeSpan.FromDays(29));

        await harness.PlaceOrderAsync("bob", "bob@example.com", "o-1", visitorId: "v-1");

        var attribution = await AttributionOf(harness, "bob");
        attribution!.AdvocateCustomerId.Should().Be("alice");
        attribution.Network.Should().Be("line");
        attribution.Touch.Should().Be("visit");
        (await harness.Get<IReferralFraudStore>().GetByFriendAsync("bob", CancellationToken.None)).Should().BeEmpty("a legitimate friend is not blocked");
    }

    [Fact]
    public async Task A_visit_older_than_the_window_does_not_attribute()
    {
        await using var harness = new ReferralHarness();
        var code = await AdvocateCodeAsync(harness);
        await harness.Get<ReferralVisits>().RecordVisitAsync(new ReferralVisitRequest(code, "v-1", null, "x"));
        harness.Time.Advance(TimeSpan.FromDays(31));

        await harness.PlaceOrderAsync("bob", "bob@example.com", "o-1", visitorId: "v-1");

        (await AttributionOf(harness, "bob")).Should().BeNull();
    }

    [Fact]
    public async Task The_last_touch_wins_and_a_code_entered_at_checkout_counts_as_a_touch()
    {
        await using var harness = new ReferralHarness();
        var alice = await AdvocateCodeAsync(harness);
        var carol = await AdvocateCodeAsync(harness, "carol", "carol@example.com");
        var visits = harness.Get<ReferralVisits>();
        await visits.RecordVisitAsync(new ReferralVisitRequest(alice, "v-1", null, "facebook"));
        harness.Time.Advance(TimeSpan.FromDays(2));
        await visits.RecordVisitAsync(new ReferralVisitRequest(carol, "v-1", null, "line"));
        harness.Time.Advance(TimeSpan.FromDays(1));
        await harness.PlaceOrderAsync("bob", "bob@example.com", "o-1", visitorId: "v-1");
        (await AttributionOf(harness, "bob"))!.AdvocateCustomerId.Should().Be("carol");

        await harness.PlaceOrderAsync("dan", "dan@example.com", "o-2", code: alice, visitorId: "v-1");
        var dan = await AttributionOf(harness, "dan");
        dan!.AdvocateCustomerId.Should().Be("alice");
        dan.Touch.Should().Be("code");
    }

    [Fact]
    public async Task A_friend_is_attributed_at_most_once()
    {
        await using var harness = new ReferralHarness(o => o.Fraud.RequireNewCustomer = false);
        var alice = await AdvocateCodeAsync(harness);
        var carol = await AdvocateCodeAsync(harness, "carol", "carol@example.com");
        await harness.PlaceOrderAsync("bob", "bob@example.com", "o-1", code: alice);
        await harness.PlaceOrderAsync("bob", "bob@example.com", "o-2", code: carol);

        var attribution = await AttributionOf(harness, "bob");
        attribution!.OrderId.Should().Be("o-1");
        attribution.AdvocateCustomerId.Should().Be("alice");
    }

    [Fact]
    public async Task Self_referral_by_customer_id_is_blocked_and_recorded()
    {
        await using var harness = new ReferralHarness();
        var code = await AdvocateCodeAsync(harness);
        await harness.PlaceOrderAsync("alice", "alice@example.com", "o-1", code: code);

        (await AttributionOf(harness, "alice")).Should().BeNull();
        var decision = await OnlyDecisionAsync(harness, "alice");
        decision.Rule.Should().Be(FraudRuleNames.SelfReferral);
        decision.Reason.Should().Contain("customer id");
    }

    [Theory]
    [InlineData("alice.wong@gmail.com", "AliceWong+promo@googlemail.com")]
    [InlineData("alice@example.com", "Alice+2@Example.com")]
    public async Task Self_referral_by_normalised_email_is_blocked_and_recorded(string advocateEmail, string friendEmail)
    {
        await using var harness = new ReferralHarness();
        var code = await AdvocateCodeAsync(harness, "alice", advocateEmail);
        await harness.PlaceOrderAsync("alice-2", friendEmail, "o-1", code: code);

        var decision = await OnlyDecisionAsync(harness, "alice-2");
        decision.Rule.Should().Be(FraudRuleNames.SelfReferral);
        decision.Reason.Should().Contain("e-mail");
        ReferralEmailNormalizer.Normalize("A.li.ce+x@GoogleMail.com").Should().Be("alice@gmail.com");
        ReferralEmailNormalizer.Normalize("a.b@example.com").Should().Be("a.b@example.com");
    }

    [Theory]
    [InlineData("shipping")]
    [InlineData("payment")]
    public async Task Self_referral_by_shipping_or_payment_fingerprint_is_blocked_and_recorded(string kind)
    {
        await using var harness = new ReferralHarness();
        var code = await AdvocateCodeAsync(harness);
        await harness.PlaceOrderAsync("alice", "alice@example.com", "a-1", shipping: "ship-A", payment: "card-A");
        await harness.PlaceOrderAsync("bob", "bob@example.com", "o-1", code: code,
            shipping: kind == "shipping" ? "ship-A" : "ship-B", payment: kind == "payment" ? "card-A" : "card-B");

        var decision = await OnlyDecisionAsync(harness, "bob");
        decision.Rule.Should().Be(FraudRuleNames.SelfReferral);
        decision.Reason.Should().Contain(kind == "shipping" ? "shipping address" : "payment instrument");
    }

    [Fact]
    public async Task A_friend_who_ordered_before_is_not_a_new_customer_and_is_blocked()
    {
        await using var harness = new ReferralHarness();
        var code = await AdvocateCodeAsync(harness);
        await harness.PlaceOrderAsync("bob", "bob@example.com", "o-0");
        harness.Time.Advance(TimeSpan.FromDays(1));
        await harness.PlaceOrderAsync("bob", "bob@example.com", "o-1", code: code);

        var decision = await OnlyDecisionAsync(harness, "bob");
        decision.Rule.Should().Be(FraudRuleNames.NotNewCustomer);
        decision.Reason.Should().Contain("1 earlier order");
    }

    [Fact]
    public async Task The_per_advocate_cap_blocks_the_referral_over_it()
    {
        await using var harness = new ReferralHarness(o => o.Fraud.AdvocateCap = 2);
        var code = await AdvocateCodeAsync(harness);
        for (var i = 0; i < 3; i++)
        {
            await harness.PlaceOrderAsync($"f{i}", $"f{i}@example.com", $"o-{i}", code: code);
        }

        (await AttributionOf(harness, "f1")).Should().NotBeNull();
        (await AttributionOf(harness, "f2")).Should().BeNull();
        (await OnlyDecisionAsync(harness, "f2")).Rule.Should().Be(FraudRuleNames.AdvocateCap);

        harness.Time.Advance(TimeSpan.FromDays(31));
        await harness.PlaceOrderAsync("f3", "f3@example.com", "o-3", code: code);
        (await AttributionOf(harness, "f3")).Should().NotBeNull("the cap is per period");
    }

    [Fact]
    public async Task The_per_visitor_ip_cap_blocks_the_referral_over_it()
    {
        await using var harness = new ReferralHarness(o => o.Fraud.IpCap = 1);
        var code = await AdvocateCodeAsync(harness);
        var visits = harness.Get<ReferralVisits>();
        await visits.RecordVisitAsync(new ReferralVisitRequest(code, "v-1", "198.51.100.7", "line"));
        await visits.RecordVisitAsync(new ReferralVisitRequest(code, "v-2", "198.51.100.7", "line"));
        await harness.PlaceOrderAsync("f1", "f1@example.com", "o-1", visitorId: "v-1");
        await harness.PlaceOrderAsync("f2", "f2@example.com", "o-2", visitorId: "v-2");

        (await AttributionOf(harness, "f1")).Should().NotBeNull();
        var decision = await OnlyDecisionAsync(harness, "f2");
        decision.Rule.Should().Be(FraudRuleNames.IpCap);
        (await harness.Get<IReferralVisitStore>().GetByVisitorAsync("v-1", DateTimeOffset.MinValue, CancellationToken.None))
            .Single().IpHash.Should().NotContain("198.51", "only a hash of the IP is stored");
    }

    [Fact]
    public async Task Switched_off_rules_do_not_block()
    {
        await using var harness = new ReferralHarness(o => o.Fraud.BlockSelfReferral = false);
        var code = await AdvocateCodeAsync(harness, "alice", "alice@gmail.com");
        await harness.PlaceOrderAsync("alice-2", "a.lice@gmail.com", "o-1", code: code);
        (await AttributionOf(harness, "alice-2")).Should().NotBeNull();
    }

    [Fact]
    public async Task The_funnel_counts_share_opens_visits_attributed_orders_and_rewards_per_network_and_advocate()
    {
        await using var harness = new ReferralHarness();
        var code = await AdvocateCodeAsync(harness);
        var visits = harness.Get<ReferralVisits>();
        await visits.RecordShareOpenedAsync("alice", "line");
        await visits.RecordShareOpenedAsync("alice", "line");
        await visits.RecordShareOpenedAsync("alice", "x");
        await visits.RecordVisitAsync(new ReferralVisitRequest(code, "v-1", null, "line"));
        await visits.RecordVisitAsync(new ReferralVisitRequest(code, "v-2", null, "x"));
        await harness.PlaceOrderAsync("bob", "bob@example.com", "o-1", visitorId: "v-1");
        harness.Time.Advance(TimeSpan.FromDays(15));
        await harness.Get<ReferralProcessor>().IssueDueAdvocateRewardsAsync("alice");

        var report = await harness.Get<ReferralFunnel>().GetAsync(new ReferralFunnelFilter { AdvocateCustomerId = "alice" });
        report.ByNetwork.Single(r => r.Network == "line").Should().Be(new ReferralFunnelRow("line", 2, 1, 1, 1));
        report.ByNetwork.Single(r => r.Network == "x").Should().Be(new ReferralFunnelRow("x", 1, 1, 0, 0));
        report.Totals.Should().Be(new ReferralFunnelRow("*", 3, 2, 1, 1));
        (await harness.Get<ReferralFunnel>().GetAsync(new ReferralFunnelFilter { AdvocateCustomerId = "nobody" })).Totals.LandingVisits.Should().Be(0);
    }
}
