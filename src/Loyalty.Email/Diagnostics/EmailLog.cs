using Microsoft.Extensions.Logging;

namespace Loyalty.Email.Diagnostics;

/// <summary>Every log message of Loyalty.Email, source-generated.</summary>
internal static partial class EmailLog
{
    [LoggerMessage(1001, LogLevel.Warning, "Refused {EventType} with {ProblemCount} problem(s)")]
    public static partial void EventRefused(ILogger logger, string eventType, int problemCount);

    [LoggerMessage(1002, LogLevel.Debug, "Event {EventId} was accepted before; nothing to do")]
    public static partial void DuplicateEvent(ILogger logger, string eventId);

    [LoggerMessage(1003, LogLevel.Debug, "Customer {CustomerId} changed during intake; retrying (attempt {Attempt})")]
    public static partial void IntakeConflict(ILogger logger, string customerId, int attempt);

    [LoggerMessage(1004, LogLevel.Information, "Accepted {EventType} {EventId}; scheduled {StepCount} step(s)")]
    public static partial void EventAccepted(ILogger logger, string eventType, string eventId, int stepCount);

    [LoggerMessage(2001, LogLevel.Information, "Step {StepId} of flow {FlowId}: {Outcome} {Reason}")]
    public static partial void StepFinished(ILogger logger, Guid stepId, string flowId, string outcome, string? reason);

    [LoggerMessage(2002, LogLevel.Warning, "Step {StepId} was moved on by another worker; this worker's result is dropped")]
    public static partial void StepLostLease(ILogger logger, Guid stepId);

    [LoggerMessage(2006, LogLevel.Warning, "Step {StepId} was accepted by the SMTP server as {MessageId}, but its lease ran out before the result was written; another worker may have sent it again")]
    public static partial void DeliveredResultTooLate(ILogger logger, Guid stepId, string? messageId);

    [LoggerMessage(2007, LogLevel.Error, "The result of step {StepId} ({Outcome}) could not be written before its lease ran out; it will be claimed again")]
    public static partial void StepResultNotWritten(ILogger logger, Exception exception, Guid stepId, string outcome);

    [LoggerMessage(2008, LogLevel.Warning, "Writing the result of step {StepId} failed (attempt {Attempt}); trying again while its lease lasts")]
    public static partial void StepResultWriteFailed(ILogger logger, Exception exception, Guid stepId, int attempt);

    [LoggerMessage(2005, LogLevel.Debug, "Step {StepId} left for a later claim: less than half of its lease is left")]
    public static partial void StepLeaseRunningOut(ILogger logger, Guid stepId);

    [LoggerMessage(2003, LogLevel.Error, "Step {StepId} of flow {FlowId} failed unexpectedly; it will be retried after its lease")]
    public static partial void StepCrashed(ILogger logger, Exception exception, Guid stepId, string flowId);

    [LoggerMessage(2004, LogLevel.Debug, "Dispatch claimed {Count} due step(s)")]
    public static partial void Claimed(ILogger logger, int count);
}
