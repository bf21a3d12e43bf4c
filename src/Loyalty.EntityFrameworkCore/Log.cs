using Microsoft.Extensions.Logging;

namespace Loyalty.EntityFrameworkCore;

/// <summary>The log messages of Loyalty's EF stores.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 3001, Level = LogLevel.Debug, Message = "Event {EventId} was accepted before; nothing was written")]
    public static partial void DuplicateEvent(ILogger logger, string eventId);

    [LoggerMessage(EventId = 3002, Level = LogLevel.Debug, Message = "Customer {CustomerId} changed since it was read (expected version {ExpectedVersion}); nothing was written")]
    public static partial void CustomerConflict(ILogger logger, string customerId, int? expectedVersion);

    [LoggerMessage(EventId = 3003, Level = LogLevel.Information, Message = "Writing event {EventId} raced another writer (attempt {Attempt}); checking again and retrying")]
    public static partial void IntakeWriteRace(ILogger logger, string eventId, int attempt, Exception exception);

    [LoggerMessage(EventId = 3004, Level = LogLevel.Debug, Message = "Event {EventId}: {SkippedEvents} derived events and {SkippedSteps} steps existed already and were left out")]
    public static partial void LeftOut(ILogger logger, string eventId, int skippedEvents, int skippedSteps);

    [LoggerMessage(EventId = 3010, Level = LogLevel.Debug, Message = "{Owner} claimed {Count} due steps until {LeaseEnd}")]
    public static partial void Claimed(ILogger logger, string owner, int count, DateTimeOffset leaseEnd);

    [LoggerMessage(EventId = 3011, Level = LogLevel.Debug, Message = "Step {StepId} moved on since version {ExpectedVersion}; the update was not written")]
    public static partial void StepMovedOn(ILogger logger, Guid stepId, int expectedVersion);

    [LoggerMessage(EventId = 3020, Level = LogLevel.Information, Message = "Writing {Entity} {Key} raced another writer (attempt {Attempt}); checking again")]
    public static partial void ReferralWriteRace(ILogger logger, string entity, string key, int attempt, Exception exception);

    [LoggerMessage(EventId = 3021, Level = LogLevel.Debug, Message = "Referral code {Code} was not added: {Result}")]
    public static partial void CodeNotAdded(ILogger logger, string code, Loyalty.Stores.ReferralCodeAddResult result);

    [LoggerMessage(EventId = 3022, Level = LogLevel.Debug, Message = "Friend {FriendCustomerId} is attributed already; the attribution was not written")]
    public static partial void FriendAttributedBefore(ILogger logger, string friendCustomerId);

    [LoggerMessage(EventId = 3023, Level = LogLevel.Debug, Message = "Reward {IdempotencyKey} exists already; nothing was written")]
    public static partial void RewardExists(ILogger logger, string idempotencyKey);

    [LoggerMessage(EventId = 3024, Level = LogLevel.Debug, Message = "Reward {IdempotencyKey} moved on since version {ExpectedVersion}; the update was not written")]
    public static partial void RewardMovedOn(ILogger logger, string idempotencyKey, int expectedVersion);
}
