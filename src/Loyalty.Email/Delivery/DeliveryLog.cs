using Microsoft.Extensions.Logging;

namespace Loyalty.Email.Delivery;

/// <summary>Every log message of the Delivery folder. Recipient addresses are never logged, only Message-IDs.</summary>
internal static partial class DeliveryLog
{
    [LoggerMessage(EventId = 3100, Level = LogLevel.Debug, Message = "SMTP connection {ConnectionId} opened to {Host}:{Port}")]
    public static partial void ConnectionOpened(this ILogger logger, long connectionId, string host, int port);

    [LoggerMessage(EventId = 3101, Level = LogLevel.Debug, Message = "SMTP connection {ConnectionId} closed: {Reason}")]
    public static partial void ConnectionClosed(this ILogger logger, long connectionId, string reason);

    [LoggerMessage(EventId = 3102, Level = LogLevel.Warning, Message = "SMTP connection {ConnectionId} discarded after an error")]
    public static partial void ConnectionDiscarded(this ILogger logger, long connectionId, Exception exception);

    [LoggerMessage(EventId = 3103, Level = LogLevel.Debug, Message = "SMTP connection {ConnectionId} was idle for {Idle}; checking it with NOOP")]
    public static partial void ConnectionIdleCheck(this ILogger logger, long connectionId, TimeSpan idle);

    [LoggerMessage(EventId = 3104, Level = LogLevel.Information, Message = "Idle SMTP connections dropped after a connection failure: {Count}")]
    public static partial void IdleConnectionsDropped(this ILogger logger, int count);

    [LoggerMessage(EventId = 3110, Level = LogLevel.Debug, Message = "Message {MessageId} delivered: {Reply}")]
    public static partial void Delivered(this ILogger logger, string? messageId, string? reply);

    [LoggerMessage(EventId = 3111, Level = LogLevel.Warning, Message = "Message {MessageId} failed transiently: {Reason}")]
    public static partial void TransientFailure(this ILogger logger, string? messageId, string reason);

    [LoggerMessage(EventId = 3112, Level = LogLevel.Warning, Message = "Message {MessageId} failed permanently (hard bounce: {HardBounce}): {Reason}")]
    public static partial void PermanentFailure(this ILogger logger, string? messageId, bool hardBounce, string reason);

    [LoggerMessage(EventId = 3120, Level = LogLevel.Information, Message = "Message {MessageId} written to {Path}")]
    public static partial void WroteFile(this ILogger logger, string? messageId, string path);

    [LoggerMessage(EventId = 3121, Level = LogLevel.Warning, Message = "Message {MessageId} could not be written to {Directory}")]
    public static partial void FileWriteFailed(this ILogger logger, string? messageId, string directory, Exception exception);

    [LoggerMessage(EventId = 3122, Level = LogLevel.Warning, Message = "Mailbox file {Path} could not be read")]
    public static partial void MailboxFileUnreadable(this ILogger logger, string path, Exception exception);
}
