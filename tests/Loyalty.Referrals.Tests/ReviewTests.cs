using Loyalty.Links;
using Loyalty.Email;
using Loyalty.Email.Composition;
using Loyalty.Email.Flows;
using Loyalty.Email.Links;
using Loyalty.Events;
using Loyalty.Referrals.Reviews;
using Microsoft.Extensions.Options;

namespace Loyalty.Referrals.Tests;

public sealed class ReviewTests
{
    private static readonly OrderLine[] ThreeProducts =
    [
        new() { Sku = "TEA-1", ProductName = "Oolong", Quantity = 1, UnitPrice = 10m },
        new() { Sku = "TEA-2", ProductName = "Pu-erh", Quantity = 1, UnitPrice = 10m, Tags = ["aged"] },
        new() { Sku = "POT-1", ProductName = "Teapot", Quantity = 1, UnitPrice = 10m },
    ];

    [Fact]
    public async Task A_star_link_token_verifies_back_to_customer_order_sku_and_rating()
    {
        await using var harness = new ReferralHarness();
        var links = harness.Get<ReviewLinks>();
        var token = links.Token("cust|1", "o-1", "TEA%1", 4);

        harness.Get<ReviewLinkVerifier>().Verify(token).Should().Be(new ReviewLinkClaims("cust|1", "o-1", "TEA%1", 4));
        links.Url("c", "o", "s", 5).AbsoluteUri.Should().StartWith("https://shop.example/loyalty/review/");
    }

    [Fact]
    public async Task A_tampered_expired_or_wrong_purpose_token_is_refused()
    {
        await using var harness = new ReferralHarness();
        var links = harness.Get<ReviewLinks>();
        var verifier = harness.Get<ReviewLinkVerifier>();
        var token = links.Token("c", "o", "s", 5);

        var tampered = token[..^2] + (token[^2] == 'A' ? "B" : "A") + token[^1];
        verifier.Verify(tampered).Should().BeNull();
        verifier.Verify(harness.Get<SignedLinkTokens>().Issue(LinkPurpose.Unsubscribe, "c|o|s|5", TimeSpan.FromDays(1))).Should().BeNull();
        verifier.Verify("").Should().BeNull();
        harness.Time.Advance(TimeSpan.FromDays(61));
        verifier.Verify(token).Should().BeNull();
    }

    [Fact]
    public async Task Key_rotation_keeps_old_star_links_working()
    {
        string oldToken;
        var oldKey = Convert.ToBase64String(Enumerable.Repeat((byte)7, 32).ToArray());
        await using (var before = new ReferralHarness())
        {
            oldToken = before.Get<ReviewLinks>().Token("c", "o", "s", 3);
        }

        await using var after = new ReferralHarness(links: o =>
        {
            o.Keys["2"] = Convert.ToBase64String(Enumerable.Repeat((byte)9, 32).ToArray());
            o.CurrentKeyId = "2";
        });
        after.Get<ReviewLinkVerifier>().Verify(oldToken).Should().Be(new ReviewLinkClaims("c", "o", "s", 3));
        after.Get<ReviewLinks>().Token("c", "o", "s", 3).Should().StartWith("2");
        oldKey.Should().NotBeEmpty();
    }

    [Fact]
    public async Task Delivery_schedules_the_prompt_after_the_longest_category_wait_and_the_model_lists_unreviewed_products_with_star_links()
    {
        await using var harness = new ReferralHarness(o => o.Reviews.DelayByTag["aged"] = TimeSpan.FromDays(21));
        await harness.PlaceOrderAsync("bob", "bob@example.com", "o-1", lines: ThreeProducts);
        var processor = harness.Get<ReferralProcessor>();
        await processor.HandleAsync(new ReviewSubmitted { EventId = "rv-1", CustomerId = "bob", OccurredAt = harness.Time.GetUtcNow(), Sku = "POT-1", OrderId = "o-1", Rating = 5 });
        await processor.HandleAsync(new OrderDelivered { EventId = "d-1", CustomerId = "bob", OrderId = "o-1", OccurredAt = harness.Time.GetUtcNow() });

        var due = harness.Published.Events.OfType<CustomEvent>().Should().ContainSingle(e => e.Name == ReviewFlows.ReviewPromptDueEvent).Subject;
        DateTimeOffset.Parse(due.Properties.GetProperty("prompt_at").GetString()!, System.Globalization.CultureInfo.InvariantCulture)
            .Should().Be(harness.Time.GetUtcNow().AddDays(21));

        var model = harness.Get<TemplateModelFactory>().Create(due, null);
        var review = (Dictionary<string, object?>)model.Root["review"]!;
        var products = ((List<object?>)review["products"]!).Cast<Dictionary<string, object?>>().ToList();
        products.Select(p => p["sku"]).Should().Equal("TEA-1", "TEA-2");
        var stars = ((List<object?>)products[0]["stars"]!).Cast<Dictionary<string, object?>>().ToList();
        stars.Should().HaveCount(5);
        var url = (string)stars[3]["url"]!;
        harness.Get<ReviewLinkVerifier>().Verify(url[(url.LastIndexOf('/') + 1)..]).Should().Be(new ReviewLinkClaims("bob", "o-1", "TEA-1", 4));
    }

    [Fact]
    public async Task The_prompt_flow_waits_for_the_prompt_time_sends_one_reminder_and_pauses_on_service_issues_and_refunds()
    {
        await using var harness = new ReferralHarness();
        var flow = ReviewFlows.Prompt(harness.Get<IOptions<ReferralOptions>>().Value.Reviews);

        flow.Trigger.Should().Be(ReviewFlows.ReviewPromptDueEvent);
        flow.Steps.Select(s => s.Action).Should().Equal(new SendTemplateAction("review-prompt"), new SendTemplateAction("review-reminder"));
        flow.Steps[0].Wait.FromDatePath.Should().Be("event.properties.prompt_at");
        flow.Steps.Should().OnlyContain(s => s.ExitConditions.Any(c => c.Name == "open-service-issue") && s.ExitConditions.Any(c => c.Name == "order-refunded"));
    }

    [Fact]
    public async Task A_review_of_4_stars_or_more_with_a_page_leads_to_the_share_email_and_2_stars_do_not()
    {
        await using var harness = new ReferralHarness();
        var flow = ReviewFlows.ThanksShare(harness.Get<IOptions<ReferralOptions>>().Value.Reviews);
        var condition = (PredicateCondition)flow.EntryConditions.Single();
        ReviewSubmitted Review(int rating) => new() { EventId = "r", CustomerId = "bob", OccurredAt = harness.Time.GetUtcNow(), Sku = "TEA-1", Rating = rating, ReviewUrl = "https://shop.example/reviews/9", ProductName = "Oolong" };
        bool Enters(int rating) => condition.Predicate(new FlowConditionContext(Review(rating), null, [], harness.Time.GetUtcNow()));

        Enters(5).Should().BeTrue();
        Enters(4).Should().BeTrue();
        Enters(2).Should().BeFalse();
        flow.Steps.Single().Action.Should().Be(new SendTemplateAction("review-thanks-share"));

        var model = harness.Get<TemplateModelFactory>().Create(Review(5), null);
        var share = (Dictionary<string, object?>)((Dictionary<string, object?>)model.Root["review"]!)["share"]!;
        ((string)share["line"]!).Should().Contain(Uri.EscapeDataString("https://shop.example/reviews/9?utm_source=line&utm_medium=referral&utm_campaign=review-share"));
        var referral = (Dictionary<string, object?>)model.Root["referral"]!;
        ((string)referral["url"]!).Should().StartWith("https://shop.example/r/");
        ((Dictionary<string, object?>)referral["share"]!).Should().ContainKeys("line", "wechat", "email", "x");
    }

    private static ReviewSubmitted Submitted(ReferralHarness harness, string eventId, string sku, int rating) => new()
    {
        EventId = eventId, CustomerId = "bob", OccurredAt = harness.Time.GetUtcNow(), Sku = sku, Rating = rating, ProductName = "Oolong", OrderId = "o-1",
    };

    [Fact]
    public async Task An_honest_review_reward_pays_every_rating_alike_once_per_product_and_never_sees_the_rating()
    {
        await using var harness = new ReferralHarness(o => o.Rewards.ReviewRewardKind = "review-credit");
        var processor = harness.Get<ReferralProcessor>();

        await processor.HandleAsync(Submitted(harness, "review-1", "TEA-1", rating: 1));
        await processor.HandleAsync(Submitted(harness, "review-2", "TEA-2", rating: 5));
        await processor.HandleAsync(Submitted(harness, "review-3", "TEA-1", rating: 4));

        var due = harness.Published.Events.OfType<CustomEvent>().Where(e => e.Name == ReviewFlows.ReviewRewardDueEvent).ToList();
        due.Select(e => e.EventId).Should().Equal("review-reward:bob:TEA-1", "review-reward:bob:TEA-2", "review-reward:bob:TEA-1");
        due.Select(e => e.EventId).Distinct().Should().HaveCount(2, "an edited review carries the same event id, which intake takes once");
        due.Select(e => e.CustomerId).Should().OnlyContain(c => c == "bob");
        due.SelectMany(e => e.Properties.EnumerateObject().Select(p => p.Name)).Distinct().Should().BeEquivalentTo("sku", "product_name", "order_id");
        due[0].Properties.GetProperty("sku").GetString().Should().Be("TEA-1");

        var flow = harness.Get<IOptions<FlowCatalogOptions>>().Value.Flows.Single(f => f.Id == ReviewFlows.RewardFlowId);
        flow.Trigger.Should().Be(ReviewFlows.ReviewRewardDueEvent);
        flow.EntryConditions.Should().BeEmpty("a reward contingent on the rating is what marketplaces forbid");
        flow.Steps.Should().ContainSingle().Which.Action.Should().Be(new IssueCreditAction("review-credit"));
        flow.Steps.Single().ExitConditions.Should().BeEmpty();
    }

    [Fact]
    public async Task Without_a_review_reward_kind_no_review_is_paid_and_no_reward_flow_exists()
    {
        await using var harness = new ReferralHarness();

        await harness.Get<ReferralProcessor>().HandleAsync(Submitted(harness, "review-1", "TEA-1", rating: 5));

        harness.Published.Events.OfType<CustomEvent>().Should().NotContain(e => e.Name == ReviewFlows.ReviewRewardDueEvent);
        harness.Get<IOptions<FlowCatalogOptions>>().Value.Flows.Should().NotContain(f => f.Id == ReviewFlows.RewardFlowId);
    }
}

public sealed class DefaultTemplateTests
{
    [Theory]
    [InlineData("referral-friend-joined")]
    [InlineData("referral-reward-ready")]
    [InlineData("review-prompt")]
    [InlineData("review-reminder")]
    [InlineData("review-thanks-share")]
    public void Every_default_template_ships_subject_and_html_in_en_zh_TW_zh_CN_and_th(string name)
    {
        var resources = typeof(ReferralProcessor).Assembly.GetManifestResourceNames();
        foreach (var locale in new[] { "default", "zh-TW", "zh-CN", "th" })
        {
            resources.Should().Contain($"LoyaltyTemplates/{name}/{locale}/subject.liquid");
            resources.Should().Contain($"LoyaltyTemplates/{name}/{locale}/html.liquid");
        }
    }
}
