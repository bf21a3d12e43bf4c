using Microsoft.Extensions.Logging;

namespace Loyalty.Email.Scheduling;

/// <summary>The log messages of the dispatch's batch reads (the rest of the dispatch logs through EmailLog).</summary>
internal static partial class DispatchLog
{
    [LoggerMessage(2009, LogLevel.Warning, "Reading the customers, orders and suppressions of {Count} claimed step(s) at once failed; each step reads its own")]
    public static partial void BatchReadFailed(ILogger logger, Exception exception, int count);
}
