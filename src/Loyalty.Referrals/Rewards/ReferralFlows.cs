using Loyalty.Email.Flows;

namespace Loyalty.Referrals.Rewards;

/// <summary>
/// The advocate's flows. <see cref="ReferralProcessor"/> publishes <see cref="FriendJoinedEvent"/> (for the advocate,
/// occurred at the friend's order time) when a friend's order is attributed, and <see cref="RewardReadyEvent"/> when
/// the advocate's reward is issued. The return window is a durable flow wait: it publishes
/// <see cref="ReturnWindowPassedEvent"/>, on which the processor re-checks the order and pays.
/// </summary>
public static class ReferralFlows
{
    /// <summary>Custom event: a friend's order was attributed to this advocate. Properties: <c>friend_first_name</c>, <c>order_id</c>.</summary>
    public const string FriendJoinedEvent = "ReferralFriendJoined";

    /// <summary>Custom event: the return window of a referred order has passed for this advocate.</summary>
    public const string ReturnWindowPassedEvent = "ReferralReturnWindowPassed";

    /// <summary>Custom event: this advocate's reward was issued. Properties: <c>reward</c> (the issuer's description), <c>friend_first_name</c>.</summary>
    public const string RewardReadyEvent = "ReferralRewardReady";

    /// <summary>Template "your friend just joined".</summary>
    public const string FriendJoinedTemplate = "referral-friend-joined";

    /// <summary>Template "your reward is ready".</summary>
    public const string RewardReadyTemplate = "referral-reward-ready";

    /// <summary>FriendJoined → send <c>referral-friend-joined</c> at once.</summary>
    public static FlowDefinition FriendJoined() =>
        new FlowBuilder("referral-friend-joined").On(FriendJoinedEvent).Transactional().Send(FriendJoinedTemplate).Build();

    /// <summary>FriendJoined → wait the return window (from the order's time) → publish ReturnWindowPassed.</summary>
    public static FlowDefinition ReturnWindow(TimeSpan returnWindow) =>
        new FlowBuilder("referral-return-window").On(FriendJoinedEvent).Transactional().Wait(returnWindow).Publish(ReturnWindowPassedEvent).Build();

    /// <summary>RewardReady → send <c>referral-reward-ready</c>.</summary>
    public static FlowDefinition RewardReady() =>
        new FlowBuilder("referral-reward-ready").On(RewardReadyEvent).Transactional().Send(RewardReadyTemplate).Build();
}
