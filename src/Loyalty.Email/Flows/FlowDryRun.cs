using Loyalty.Email.Intake;
using Loyalty.Events;
using Loyalty.Stores;

namespace Loyalty.Email.Flows;

/// <summary>Why a flow would or would not be entered in a dry run.</summary>
public enum FlowDryRunVerdict
{
    /// <summary>The customer would enter the flow; its steps would be scheduled.</summary>
    Entered,
    /// <summary>The flow starts on another event type.</summary>
    TriggerMismatch,
    /// <summary>An entry condition does not hold (named in the reason).</summary>
    EntryConditionFailed,
    /// <summary>The re-entry rule keeps the customer out (entered before, or inside the cool-down).</summary>
    Reentry,
    /// <summary>The event was accepted before: publishing it again changes nothing.</summary>
    DuplicateEvent,
}

/// <summary>One step a dry run would schedule.</summary>
/// <param name="Index">The step's index in the flow (0-based).</param>
/// <param name="DueAt">When it would fall due.</param>
/// <param name="Action">What it would do (<see cref="FlowAction.Describe"/>).</param>
/// <param name="ExitConditions">The names of the exit conditions re-checked when it is due.</param>
public sealed record FlowDryRunStep(int Index, DateTimeOffset DueAt, string Action, IReadOnlyList<string> ExitConditions);

/// <summary>What a dry run found for one flow and one event (the published one, or a milestone it would reach).</summary>
/// <param name="FlowId">The flow.</param>
/// <param name="EventType">The type of the event the flow was checked against.</param>
/// <param name="EventId">The id of that event (a milestone's derived id for milestones).</param>
/// <param name="Verdict">Entered, or why not.</param>
/// <param name="Reason">A sentence for people (support, integrators); null when entered.</param>
/// <param name="TriggerKey">The trigger entity of the entry (<c>order:1001</c>, <c>issue:77</c> ...), when entered.</param>
/// <param name="Steps">The steps that would be scheduled, empty when not entered.</param>
public sealed record FlowDryRunResult(string FlowId, string EventType, string EventId, FlowDryRunVerdict Verdict, string? Reason, string? TriggerKey, IReadOnlyList<FlowDryRunStep> Steps)
{
    /// <summary>True when the customer would enter the flow.</summary>
    public bool WouldEnter => Verdict == FlowDryRunVerdict.Entered;

    internal static FlowDryRunResult NotEntered(FlowDefinition flow, LoyaltyEvent e, FlowDryRunVerdict verdict, string reason)
        => new(flow.Id, e.EventType, e.EventId, verdict, reason, null, []);

    internal static FlowDryRunResult Entered(FlowDefinition flow, LoyaltyEvent e, string triggerKey, IReadOnlyList<DateTimeOffset> dueTimes)
        => new(flow.Id, e.EventType, e.EventId, FlowDryRunVerdict.Entered, null, triggerKey,
            [.. flow.Steps.Select((s, i) => new FlowDryRunStep(i, dueTimes[i], s.Action.Describe(), [.. s.ExitConditions.Select(c => c.Name)]))]);
}

/// <summary>The outcome of a dry run: every flow of the host, entered or not and why.</summary>
/// <param name="EventId">The event's id.</param>
/// <param name="EventType">The event's type.</param>
/// <param name="CustomerId">The customer.</param>
/// <param name="Milestones">Milestones the event would reach (each checked against the flows too).</param>
/// <param name="Flows">One result per flow and matching event; one <see cref="FlowDryRunVerdict.TriggerMismatch"/> per flow no event matches.</param>
public sealed record FlowDryRunReport(string EventId, string EventType, string CustomerId, IReadOnlyList<string> Milestones, IReadOnlyList<FlowDryRunResult> Flows)
{
    /// <summary>The flows the customer would enter.</summary>
    public IEnumerable<FlowDryRunResult> Entered => Flows.Where(f => f.WouldEnter);

    /// <summary>The result of one flow (the first, when several events match it), or null when it does not exist.</summary>
    public FlowDryRunResult? For(string flowId) => Flows.FirstOrDefault(f => f.FlowId == flowId);
}

/// <summary>
/// Answers "what would happen if this event were published now?" for tests, support and integrators: which flows
/// the customer would enter, which steps would be scheduled when, and why other flows would not be entered. Runs
/// the same planning code as intake; reads the store, writes nothing, sends nothing. Scoped, like the publisher.
/// </summary>
public sealed class FlowDryRun
{
    private readonly EventIntake _intake;
    private readonly FlowRegistry _flows;

    internal FlowDryRun(EventIntake intake, FlowRegistry flows)
    {
        _intake = intake;
        _flows = flows;
    }

    /// <summary>
    /// Dry-runs <paramref name="loyaltyEvent"/> for its customer as the store knows them (updated by the event's
    /// snapshot, as publishing would). Throws <see cref="Validation.EventValidationException"/> for an event publishing would refuse.
    /// </summary>
    public Task<FlowDryRunReport> RunAsync(LoyaltyEvent loyaltyEvent, CancellationToken cancellationToken = default)
        => RunCoreAsync(loyaltyEvent, null, cancellationToken);

    /// <summary>
    /// Dry-runs <paramref name="loyaltyEvent"/> for a customer given as a snapshot (<paramref name="customer"/> and
    /// their <paramref name="orders"/> before the event) instead of what the store holds; re-entry is still checked
    /// against the steps in the store.
    /// </summary>
    public Task<FlowDryRunReport> RunAsync(LoyaltyEvent loyaltyEvent, LoyaltyCustomer? customer, IReadOnlyList<CustomerOrder> orders, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(orders);
        return RunCoreAsync(loyaltyEvent, (customer, orders), cancellationToken);
    }

    private async Task<FlowDryRunReport> RunCoreAsync(LoyaltyEvent e, (LoyaltyCustomer?, IReadOnlyList<CustomerOrder>)? given, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(e);
        _intake.Validate(e);
        if (await _intake.IsProcessedAsync(e.EventId, cancellationToken).ConfigureAwait(false))
        {
            return new FlowDryRunReport(e.EventId, e.EventType, e.CustomerId, [],
                [.. _flows.All.Select(f => FlowDryRunResult.NotEntered(f, e, FlowDryRunVerdict.DuplicateEvent, $"event '{e.EventId}' was accepted before; publishing it again changes nothing"))]);
        }

        var results = new List<FlowDryRunResult>();
        var (_, milestones) = await _intake.PlanAsync(e, given, results, cancellationToken).ConfigureAwait(false);
        var types = new List<string> { e.EventType };
        if (milestones.Count > 0)
        {
            types.Add(EventTypes.MilestoneReached);
        }

        foreach (var flow in _flows.All.Where(f => !types.Contains(f.Trigger, StringComparer.Ordinal)))
        {
            results.Add(FlowDryRunResult.NotEntered(flow, e, FlowDryRunVerdict.TriggerMismatch,
                $"trigger: the flow starts on {flow.Trigger}, not on {string.Join(" or ", types)}"));
        }

        var order = _flows.All.Select((f, i) => (f.Id, i)).ToDictionary(x => x.Id, x => x.i, StringComparer.Ordinal);
        return new FlowDryRunReport(e.EventId, e.EventType, e.CustomerId, milestones,
            [.. results.OrderBy(r => order.GetValueOrDefault(r.FlowId, int.MaxValue))]);
    }
}
