using Microsoft.Extensions.Logging;

namespace Loyalty.Referrals.Diagnostics;

/// <summary>Every log message of Loyalty.Referrals, source-generated.</summary>
internal static partial class ReferralsLog
{
    [LoggerMessage(3001, LogLevel.Debug, "Referral code collision for customer {CustomerId} (attempt {Attempt}); trying another")]
    public static partial void CodeCollision(ILogger logger, string customerId, int attempt);

    [LoggerMessage(3002, LogLevel.Information, "Order {OrderId} of {FriendCustomerId} attributed to advocate {AdvocateCustomerId} ({Touch})")]
    public static partial void Attributed(ILogger logger, string orderId, string friendCustomerId, string advocateCustomerId, string touch);

    [LoggerMessage(3003, LogLevel.Warning, "Referral of {FriendCustomerId} by {AdvocateCustomerId} blocked by {Rule}: {Reason}")]
    public static partial void Blocked(ILogger logger, string friendCustomerId, string advocateCustomerId, string rule, string reason);

    [LoggerMessage(3004, LogLevel.Information, "Reward {IdempotencyKey} for {CustomerId}: {State} {Reason}")]
    public static partial void RewardChanged(ILogger logger, string idempotencyKey, string customerId, string state, string? reason);

    [LoggerMessage(3005, LogLevel.Warning, "Reward {IdempotencyKey} was issued but the order was refunded and no IReferralRewardRevoker is registered; the host must claw it back")]
    public static partial void CannotClawBack(ILogger logger, string idempotencyKey);

    [LoggerMessage(3006, LogLevel.Debug, "Visit with unknown or disabled referral code {Code} ignored")]
    public static partial void UnknownCode(ILogger logger, string code);

    [LoggerMessage(3007, LogLevel.Warning, "Reward {IdempotencyKey} was moved on by another worker; this result is dropped")]
    public static partial void RewardLostRace(ILogger logger, string idempotencyKey);
}
