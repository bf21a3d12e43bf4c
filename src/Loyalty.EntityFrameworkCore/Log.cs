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
}
