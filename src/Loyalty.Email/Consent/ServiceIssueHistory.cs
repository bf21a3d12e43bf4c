using Loyalty.Email.Flows;
using Loyalty.Events;
using Loyalty.Stores;

namespace Loyalty.Email.Consent;

/// <summary>One service issue of a customer as its scheduled steps record it.</summary>
/// <param name="TriggerEventId">The issue's event id.</param>
/// <param name="TriggerKey">The issue's trigger key (<c>issue:ID</c> for once-per-trigger flows).</param>
/// <param name="OccurredAt">When the shop detected it.</param>
/// <param name="FirstStepId">The id of its first step.</param>
internal readonly record struct ServiceIssueRecord(string TriggerEventId, string? TriggerKey, DateTimeOffset OccurredAt, Guid FirstStepId);

/// <summary>
/// The customer's service issues, read from the steps that flows triggered by <see cref="ServiceIssueDetected"/>
/// scheduled: what "an open service issue" (the marketing pause) and the service-recovery cap are counted from.
/// One query per service-issue flow; nothing else is stored.
/// </summary>
internal static class ServiceIssueHistory
{
    private const int MaxRows = 500;

    /// <summary>True when at least one flow triggers on service issues (otherwise there is nothing to read).</summary>
    public static bool Applies(FlowRegistry flows) => flows.ForTrigger(EventTypes.ServiceIssueDetected).Count > 0;

    /// <summary>The customer's issues (one per trigger event), oldest first.</summary>
    public static async Task<IReadOnlyList<ServiceIssueRecord>> ReadAsync(IScheduledStepStore steps, FlowRegistry flows, string customerId, string? flowId, CancellationToken cancellationToken)
        => FromRows(await ReadRowsAsync(steps, flows, customerId, flowId, cancellationToken).ConfigureAwait(false));

    /// <summary>The steps of the customer's service-issue flows that <see cref="ReadAsync"/> counts from.</summary>
    public static async Task<List<ScheduledStep>> ReadRowsAsync(IScheduledStepStore steps, FlowRegistry flows, string customerId, string? flowId, CancellationToken cancellationToken)
    {
        var rows = new List<ScheduledStep>();
        foreach (var flow in flows.ForTrigger(EventTypes.ServiceIssueDetected))
        {
            if (flowId is not null && flow.Id != flowId)
            {
                continue;
            }

            rows.AddRange(await steps.QueryAsync(new StepQuery { CustomerId = customerId, FlowId = flow.Id, Take = MaxRows }, cancellationToken).ConfigureAwait(false));
        }

        return rows;
    }

    /// <summary>
    /// The issues recorded by <paramref name="rows"/> (steps of service-issue flows of one customer), oldest first:
    /// batched intake adds the steps it planned for earlier events of the batch to what it read.
    /// </summary>
    public static IReadOnlyList<ServiceIssueRecord> FromRows(IEnumerable<ScheduledStep> rows)
    {
        return rows
            .GroupBy(s => s.TriggerEventId, StringComparer.Ordinal)
            .Select(g =>
            {
                var first = g.OrderBy(s => s.StepIndex).ThenBy(s => s.Id).First();
                return (Record: new ServiceIssueRecord(g.Key, first.TriggerKey, first.TriggerOccurredAt, first.Id), first.CreatedAt);
            })
            // Detected first, then received first; issues of the same instant by event id, so every worker agrees.
            .OrderBy(r => r.Record.OccurredAt).ThenBy(r => r.CreatedAt).ThenBy(r => r.Record.TriggerEventId, StringComparer.Ordinal)
            .Select(r => r.Record)
            .ToList();
    }

    /// <summary>
    /// The issues whose pause has not ended at <paramref name="now"/> (detected in the <paramref name="pause"/> before
    /// it), other than <paramref name="exceptTriggerEventId"/>.
    /// </summary>
    public static IReadOnlyList<ServiceIssueRecord> Open(IReadOnlyList<ServiceIssueRecord> issues, DateTimeOffset now, TimeSpan pause, string? exceptTriggerEventId = null)
        => issues.Where(i => i.OccurredAt <= now && i.OccurredAt + pause > now && i.TriggerEventId != exceptTriggerEventId).ToList();

    /// <summary>
    /// True when the issue <paramref name="triggerEventId"/> is beyond the cap: at least <paramref name="max"/> issues
    /// that were not capped themselves came before it within <paramref name="period"/>. Decided from the order of the
    /// issues alone, so every worker and every retry reaches the same answer whatever order the steps run in.
    /// </summary>
    public static bool IsCapped(IReadOnlyList<ServiceIssueRecord> issues, string triggerEventId, int max, TimeSpan period)
    {
        var kept = new List<ServiceIssueRecord>();
        foreach (var issue in issues)
        {
            var counted = kept.Count(k => k.OccurredAt > issue.OccurredAt - period);
            var capped = counted >= max;
            if (issue.TriggerEventId == triggerEventId)
            {
                return capped;
            }

            if (!capped)
            {
                kept.Add(issue);
            }
        }

        return false;
    }
}
