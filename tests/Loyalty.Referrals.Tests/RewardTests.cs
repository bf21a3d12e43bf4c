using Microsoft.Extensions.DependencyInjection;
using Loyalty.Events;
using Loyalty.Referrals.Codes;
using Loyalty.Referrals.Rewards;
using Loyalty.Stores;

namespace Loyalty.Referrals.Tests;

public sealed class RewardTests
{
    private static async Task ReferAsync(ReferralHarness harness)
    {
        harness.Customers.Add("alice", "alice@example.com");
        var code = (await harness.Get<ReferralCodes>().GetOrCreateAsync("alice")).Code;
        await harness.PlaceOrderAsync("bob", "bob@example.com", "o-1", code: code);
    }

    private static Task<ReferralReward?> RewardAsync(ReferralHarness harness, ReferralRewardKind kind) =>
        harness.Get<IReferralRewardStore>().FindByKeyAsync(ReferralRewards.KeyFor(kind, "bob"), CancellationToken.None);

    [Fact]
    public async Task The_friend_is_rewarded_at_the_qualifying_order_and_the_advocate_is_told_their_friend_joined()
    {
        await using var harness = new ReferralHarness(o => o.Rewards.FriendAmount = 100m);
        await ReferAsync(harness);

        var request = harness.Issuer.Requests.Should().ContainSingle().Subject;
        request.CustomerId.Should().Be("bob");
        request.Kind.Should().Be("referral-friend");
        request.SuggestedAmount.Should().Be(100m);
        request.Currency.Should().Be("TWD");
        request.IdempotencyKey.Should().Be("referral:friend:bob");
        (await RewardAsync(harness, ReferralRewardKind.Advocate))!.State.Should().Be(ReferralRewardState.Pending);
        var joined = harness.Published.Events.OfType<CustomEvent>().Should().ContainSingle(e => e.Name == ReferralFlows.FriendJoinedEvent).Subject;
        joined.CustomerId.Should().Be("alice");
        joined.Properties.GetProperty("friend_first_name").GetString().Should().Be("Mei");
    }

    [Fact]
    public async Task The_advocate_is_rewarded_once_after_the_return_window_and_the_reward_ready_event_follows()
    {
        await using var harness = new ReferralHarness();
        await ReferAsync(harness);
        var processor = harness.Get<ReferralProcessor>();
        var windowPassed = new CustomEvent { EventId = "step:1", Name = ReferralFlows.ReturnWindowPassedEvent, CustomerId = "alice", OccurredAt = harness.Time.GetUtcNow() };

        harness.Time.Advance(TimeSpan.FromDays(13));
        await processor.HandleAsync(windowPassed);
        harness.Issuer.Requests.Should().ContainSingle("the advocate waits for the return window");

        harness.Time.Advance(TimeSpan.FromDays(1));
        await processor.HandleAsync(windowPassed);
        await processor.HandleAsync(windowPassed);
        await processor.IssueDueAdvocateRewardsAsync();

        harness.Issuer.Requests.Where(r => r.CustomerId == "alice").Should().ContainSingle().Which.IdempotencyKey.Should().Be("referral:advocate:bob");
        (await RewardAsync(harness, ReferralRewardKind.Advocate))!.State.Should().Be(ReferralRewardState.Issued);
        harness.Published.Events.OfType<CustomEvent>().Where(e => e.Name == ReferralFlows.RewardReadyEvent).Should().ContainSingle().Which.CustomerId.Should().Be("alice");
    }

    [Fact]
    public async Task Issuing_a_reward_twice_pays_once()
    {
        await using var harness = new ReferralHarness();
        await ReferAsync(harness);
        harness.Time.Advance(TimeSpan.FromDays(14));
        var rewards = harness.Get<ReferralRewards>();

        await Task.WhenAll(Enumerable.Range(0, 4).Select(async _ =>
        {
            await using var scope = harness.Services.CreateAsyncScope();
            await scope.ServiceProvider.GetRequiredService<ReferralRewards>().IssueAsync("referral:advocate:bob");
        }));
        await rewards.IssueAsync("referral:advocate:bob");
        await rewards.IssueAsync("referral:friend:bob");

        harness.Issuer.Requests.GroupBy(r => r.IdempotencyKey).Should().OnlyContain(g => g.Count() == 1);
        harness.Issuer.Requests.Should().HaveCount(2);
    }

    [Fact]
    public async Task A_refund_inside_the_return_window_cancels_the_advocate_reward()
    {
        await using var harness = new ReferralHarness();
        await ReferAsync(harness);
        harness.Time.Advance(TimeSpan.FromDays(5));
        harness.Customers.Refund("bob", "o-1", harness.Time.GetUtcNow());
        await harness.Get<ReferralProcessor>().HandleAsync(new OrderRefunded { EventId = "r-1", CustomerId = "bob", OrderId = "o-1", OccurredAt = harness.Time.GetUtcNow() });
        harness.Time.Advance(TimeSpan.FromDays(10));
        await harness.Get<ReferralProcessor>().IssueDueAdvocateRewardsAsync();

        var advocate = await RewardAsync(harness, ReferralRewardKind.Advocate);
        advocate!.State.Should().Be(ReferralRewardState.Cancelled);
        advocate.Reason.Should().Be("order-refunded");
        harness.Issuer.Requests.Should().NotContain(r => r.CustomerId == "alice");
    }

    [Fact]
    public async Task A_refund_intake_has_seen_but_this_package_missed_still_stops_the_advocate_reward()
    {
        await using var harness = new ReferralHarness();
        await ReferAsync(harness);
        harness.Time.Advance(TimeSpan.FromDays(3));
        harness.Customers.Refund("bob", "o-1", harness.Time.GetUtcNow());
        harness.Time.Advance(TimeSpan.FromDays(12));

        var advocate = await harness.Get<ReferralRewards>().IssueAsync("referral:advocate:bob");

        advocate!.State.Should().Be(ReferralRewardState.Cancelled);
        harness.Issuer.Requests.Should().NotContain(r => r.CustomerId == "alice");
    }

    [Fact]
    public async Task A_refund_inside_the_window_claws_back_the_issued_friend_reward_through_the_revoker()
    {
        var revoker = new RecordingRevoker();
        await using var withRevoker = new ReferralHarnessWithRevoker(revoker);
        await ReferAsync(withRevoker.Harness);
        await withRevoker.Harness.Get<ReferralProcessor>().HandleAsync(new OrderRefunded { EventId = "r-1", CustomerId = "bob", OrderId = "o-1", OccurredAt = withRevoker.Harness.Time.GetUtcNow() });

        (await RewardAsync(withRevoker.Harness, ReferralRewardKind.Friend))!.State.Should().Be(ReferralRewardState.ClawedBack);
        revoker.Keys.Should().Equal("referral:friend:bob");
    }

    private sealed class RecordingRevoker : IReferralRewardRevoker
    {
        public List<string> Keys { get; } = [];

        public Task RevokeAsync(string idempotencyKey, string customerId, string reason, CancellationToken cancellationToken)
        {
            Keys.Add(idempotencyKey);
            return Task.CompletedTask;
        }
    }

    private sealed class ReferralHarnessWithRevoker : IAsyncDisposable
    {
        public ReferralHarnessWithRevoker(IReferralRewardRevoker revoker)
        {
            Harness = new ReferralHarness(configureServices: s => s.AddSingleton(revoker));
        }

        public ReferralHarness Harness { get; }

        public ValueTask DisposeAsync() => Harness.DisposeAsync();
    }
}
