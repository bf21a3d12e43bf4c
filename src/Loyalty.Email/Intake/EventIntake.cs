using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Loyalty.Email.Composition;
using Loyalty.Email.Diagnostics;
using Loyalty.Email.Flows;
using Loyalty.Email.Milestones;
using Loyalty.Email.Scheduling;
using Loyalty.Events;
using Loyalty.Publishing;
using Loyalty.Stores;
using Loyalty.Validation;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Loyalty.Email.Intake;

/// <summary>
/// The door every event comes through: validate, dedupe by event id, update the customer's facts, detect
/// milestones, match flows and schedule one row per (flow, step, customer, trigger) — all in one store write.
/// </summary>
internal sealed class EventIntake : ILoyaltyPublisher
{
    private const int MaxAttempts = 8;
    private readonly LoyaltyEventValidator _validator;
    private readonly IProcessedEventStore _events;
    private readonly ICustomerStore _customers;
    private readonly IIntakeStore _intake;
    private readonly IScheduledStepStore _steps;
    private readonly FlowRegistry _flows;
    private readonly FlowConditionEvaluator _conditions;
    private readonly TemplateModelFactory _models;
    private readonly IImmediateStepQueue _immediate;
    private readonly MilestoneOptions _milestones;
    private readonly TimeProvider _time;
    private readonly EmailTelemetry _telemetry;
    private readonly ILogger<EventIntake> _logger;
    private readonly IEnumerable<ILoyaltyEventObserver> _observers;
    private readonly EmailOptions _options;

    public EventIntake(
        LoyaltyEventValidator validator,
        IProcessedEventStore events,
        ICustomerStore customers,
        IIntakeStore intake,
        IScheduledStepStore steps,
        FlowRegistry flows,
        FlowConditionEvaluator conditions,
        TemplateModelFactory models,
        IImmediateStepQueue immediate,
        IOptions<MilestoneOptions> milestones,
        TimeProvider time,
        EmailTelemetry telemetry,
        ILogger<EventIntake> logger,
        IEnumerable<ILoyaltyEventObserver> observers,
        IOptions<EmailOptions> options)
    {
        _options = options.Value;
        _observers = observers;
        _validator = validator;
        _events = events;
        _customers = customers;
        _intake = intake;
        _steps = steps;
        _flows = flows;
        _conditions = conditions;
        _models = models;
        _immediate = immediate;
        _milestones = milestones.Value;
        _time = time;
        _telemetry = telemetry;
        _logger = logger;
    }

    public async Task<PublishResult> PublishAsync(LoyaltyEvent loyaltyEvent, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(loyaltyEvent);
        using var activity = _telemetry.ActivitySource.StartActivity("loyalty.publish", ActivityKind.Internal);
        activity?.SetTag("loyalty.event.type", loyaltyEvent.EventType);
        activity?.SetTag("loyalty.event.id", loyaltyEvent.EventId);

        var problems = _validator.Validate(loyaltyEvent);
        if (problems.Count > 0)
        {
            _telemetry.EventRefused(loyaltyEvent.EventType);
            EmailLog.EventRefused(_logger, loyaltyEvent.EventType, problems.Count);
            throw new EventValidationException(loyaltyEvent.GetType().Name, loyaltyEvent.EventId, problems);
        }

        loyaltyEvent = Normalize(loyaltyEvent);

        // No separate "seen this event id?" read first: the store's commit checks the event id in the same statement
        // as its other checks and answers DuplicateEvent. A redelivery costs a plan; every new event saves a round trip.
        for (var attempt = 1; ; attempt++)
        {
            var (changes, milestones) = await PlanAsync(loyaltyEvent, null, null, cancellationToken).ConfigureAwait(false);
            var result = await _intake.CommitAsync(changes, cancellationToken).ConfigureAwait(false);
            switch (result)
            {
                case IntakeCommitResult.DuplicateEvent:
                    Duplicate(loyaltyEvent);
                    return PublishResult.Duplicate;
                case IntakeCommitResult.Conflict when attempt < MaxAttempts:
                    EmailLog.IntakeConflict(_logger, loyaltyEvent.CustomerId, attempt);
                    continue;
                case IntakeCommitResult.Conflict:
                    throw new InvalidOperationException($"Customer '{loyaltyEvent.CustomerId}' kept changing while event '{loyaltyEvent.EventId}' was processed; gave up after {MaxAttempts} attempts.");
            }

            return await AcceptedAsync(loyaltyEvent, changes, milestones, cancellationToken).ConfigureAwait(false);
        }
    }

    public async Task<IReadOnlyList<PublishResult>> PublishManyAsync(IReadOnlyList<LoyaltyEvent> events, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(events);
        if (events.Count > _options.MaxPublishBatchSize)
        {
            throw new ArgumentException($"A batch holds at most {_options.MaxPublishBatchSize} events (EmailOptions.MaxPublishBatchSize); this one holds {events.Count}.", nameof(events));
        }

        for (var i = 0; i < events.Count; i++)
        {
            if (events[i] is null)
            {
                throw new ArgumentException($"The event at index {i} is null.", nameof(events));
            }
        }

        using var activity = _telemetry.ActivitySource.StartActivity("loyalty.publish_many", ActivityKind.Internal);
        activity?.SetTag("loyalty.batch.size", events.Count);

        // Everything is validated before anything is read, so a refused batch leaves no trace.
        for (var i = 0; i < events.Count; i++)
        {
            var problems = _validator.Validate(events[i]);
            if (problems.Count > 0)
            {
                _telemetry.EventRefused(events[i].EventType);
                EmailLog.EventRefused(_logger, events[i].EventType, problems.Count);
                var located = problems.Select(p => p with { Field = $"events[{i.ToString(CultureInfo.InvariantCulture)}].{p.Field}" }).ToList();
                throw new EventValidationException(events[i].GetType().Name, events[i].EventId, located);
            }
        }

        var results = new PublishResult?[events.Count];
        var normalized = new LoyaltyEvent[events.Count];
        var pending = new List<int>(events.Count);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < events.Count; i++)
        {
            normalized[i] = Normalize(events[i]);
            if (seen.Add(events[i].EventId))
            {
                pending.Add(i);
            }
            else
            {
                Duplicate(events[i]);
                results[i] = PublishResult.Duplicate;
            }
        }

        // As in PublishAsync, no "seen this event id?" read: the store's checks answer DuplicateEvent per set. A store
        // that writes nothing when one set is a duplicate or conflicts reports the others as Conflict, and they are
        // planned again without it, so no event's plan counts on one that was not written.
        for (var attempt = 1; pending.Count > 0; attempt++)
        {
            var plans = await PlanBatchAsync(normalized, pending, cancellationToken).ConfigureAwait(false);
            var sets = plans.Select(p => p.Changes).ToList();
            var outcomes = await _intake.CommitManyAsync(sets, cancellationToken).ConfigureAwait(false);
            if (outcomes.Count != sets.Count)
            {
                throw new InvalidOperationException($"The intake store answered {outcomes.Count} results for {sets.Count} change sets.");
            }

            var again = new List<int>();
            for (var k = 0; k < plans.Count; k++)
            {
                var (index, changes, milestones) = plans[k];
                var e = normalized[index];
                switch (outcomes[k])
                {
                    case IntakeCommitResult.Committed:
                        results[index] = await AcceptedAsync(e, changes, milestones, cancellationToken).ConfigureAwait(false);
                        break;
                    case IntakeCommitResult.DuplicateEvent:
                        Duplicate(e);
                        results[index] = PublishResult.Duplicate;
                        break;
                    default:
                        again.Add(index);
                        break;
                }
            }

            if (again.Count > 0)
            {
                var first = normalized[again[0]];
                if (attempt >= MaxAttempts)
                {
                    throw new InvalidOperationException($"Customer '{first.CustomerId}' kept changing while a batch of {events.Count} events was processed (event '{first.EventId}' and {again.Count - 1} more not written); gave up after {MaxAttempts} attempts.");
                }

                EmailLog.IntakeConflict(_logger, first.CustomerId, attempt);
            }

            pending = again;
        }

        return results.Select(r => r!).ToList();
    }

    /// <summary>
    /// Plans the <paramref name="pending"/> events in order, each over the state of its customer that the earlier
    /// ones of the batch left: what publishing them one by one would have read.
    /// </summary>
    private async Task<List<(int Index, IntakeChangeSet Changes, IReadOnlyList<string> Milestones)>> PlanBatchAsync(LoyaltyEvent[] events, List<int> pending, CancellationToken cancellationToken)
    {
        var states = await ReadCustomersAsync(pending.Select(i => events[i].CustomerId).Distinct(StringComparer.Ordinal).ToList(), cancellationToken).ConfigureAwait(false);
        var plans = new List<(int, IntakeChangeSet, IReadOnlyList<string>)>(pending.Count);
        foreach (var index in pending)
        {
            var e = events[index];
            var state = states[e.CustomerId];
            var (changes, milestones, orders) = await PlanCoreAsync(e, state.Customer, state.Customer is null ? [] : state.Orders, state.Steps, null, cancellationToken).ConfigureAwait(false);
            if (changes.Customer is { } customer)
            {
                // What the store will have written: the version it gives and the record as a read would return it.
                var next = customer.Copy();
                next.Version = (changes.ExpectedCustomerVersion ?? 0) + 1;
                state.Customer = next;
            }

            state.Orders = orders.OrderBy(o => o.PlacedAt).ThenBy(o => o.OrderId, StringComparer.Ordinal).ToList();
            state.Steps.AddRange(changes.Steps);
            plans.Add((index, changes, milestones));
        }

        return plans;
    }

    private async Task<Dictionary<string, BatchCustomer>> ReadCustomersAsync(IReadOnlyList<string> customerIds, CancellationToken cancellationToken)
    {
        // Two statements for the whole batch (per 500 customers), not two per event.
        var customers = await _customers.FindByIdsAsync(customerIds, cancellationToken).ConfigureAwait(false);
        var known = customerIds.Where(customers.ContainsKey).ToList();
        var orders = known.Count == 0 ? null : await _customers.GetOrdersAsync(known, cancellationToken).ConfigureAwait(false);
        var states = new Dictionary<string, BatchCustomer>(StringComparer.Ordinal);
        foreach (var id in customerIds)
        {
            var customer = customers.GetValueOrDefault(id);
            states[id] = new BatchCustomer { Customer = customer, Orders = customer is null ? [] : orders![id] };
        }

        return states;
    }

    private async Task<PublishResult> AcceptedAsync(LoyaltyEvent e, IntakeChangeSet changes, IReadOnlyList<string> milestones, CancellationToken cancellationToken)
    {
        _telemetry.EventReceived(e.EventType, duplicate: false);
        _telemetry.StepsScheduled(changes.Steps.Count);
        EmailLog.EventAccepted(_logger, e.EventType, e.EventId, changes.Steps.Count);
        var now = _time.GetUtcNow();
        foreach (var step in changes.Steps.Where(s => s.DueAt <= now))
        {
            _immediate.Enqueue(step.Id);
        }

        foreach (var observer in _observers)
        {
            await observer.OnAcceptedAsync(e, cancellationToken).ConfigureAwait(false);
        }

        return new PublishResult(true, changes.Steps.Select(s => s.Id).ToList(), milestones);
    }

    private void Duplicate(LoyaltyEvent e)
    {
        _telemetry.EventReceived(e.EventType, duplicate: true);
        EmailLog.DuplicateEvent(_logger, e.EventId);
    }

    /// <summary>A customer of a batch as the events planned so far left it.</summary>
    private sealed class BatchCustomer
    {
        public LoyaltyCustomer? Customer { get; set; }

        public IReadOnlyList<CustomerOrder> Orders { get; set; } = [];

        public List<ScheduledStep> Steps { get; } = [];
    }

    /// <summary>
    /// A custom event published without properties carries an undefined <see cref="JsonElement"/>, which cannot be
    /// stored as JSON: it becomes an empty object.
    /// </summary>
    internal static LoyaltyEvent Normalize(LoyaltyEvent e)
        => e is CustomEvent { Properties.ValueKind: JsonValueKind.Undefined } custom ? custom with { Properties = EmptyObject.Clone() } : e;

    private static readonly JsonElement EmptyObject = JsonDocument.Parse("{}").RootElement;

    /// <summary>Validates <paramref name="e"/> the way <see cref="PublishAsync"/> does; throws <see cref="EventValidationException"/>.</summary>
    internal void Validate(LoyaltyEvent e)
    {
        var problems = _validator.Validate(e);
        if (problems.Count > 0)
        {
            throw new EventValidationException(e.GetType().Name, e.EventId, problems);
        }
    }

    /// <summary>True when the event was accepted before.</summary>
    internal Task<bool> IsProcessedAsync(string eventId, CancellationToken cancellationToken) => _events.IsProcessedAsync(eventId, cancellationToken);

    /// <summary>
    /// Works out everything the event changes, without writing anything. <paramref name="given"/> replaces what the
    /// store knows of the customer (a dry run over a snapshot); <paramref name="report"/>, when given, receives why
    /// each flow of a matching trigger would or would not be entered.
    /// </summary>
    internal async Task<(IntakeChangeSet Changes, IReadOnlyList<string> Milestones)> PlanAsync(LoyaltyEvent e, (LoyaltyCustomer? Customer, IReadOnlyList<CustomerOrder> Orders)? given, List<FlowDryRunResult>? report, CancellationToken cancellationToken)
    {
        e = Normalize(e);
        var existing = given is { } g ? g.Customer : await _customers.FindByIdAsync(e.CustomerId, cancellationToken).ConfigureAwait(false);
        var ordersBefore = given is { } go ? go.Orders : existing is null ? [] : await _customers.GetOrdersAsync(e.CustomerId, cancellationToken).ConfigureAwait(false);
        var (changes, milestones, _) = await PlanCoreAsync(e, existing, ordersBefore, null, report, cancellationToken).ConfigureAwait(false);
        return (changes, milestones);
    }

    /// <summary>
    /// Plans <paramref name="e"/> (normalized) over the given customer and orders. <paramref name="pending"/> holds
    /// the steps planned for the customer by earlier events of the same batch, which the store cannot show yet.
    /// Also returns the customer's orders after the event.
    /// </summary>
    private async Task<(IntakeChangeSet Changes, IReadOnlyList<string> Milestones, List<CustomerOrder> Orders)> PlanCoreAsync(LoyaltyEvent e, LoyaltyCustomer? existing, IReadOnlyList<CustomerOrder> ordersBefore, IReadOnlyList<ScheduledStep>? pending, List<FlowDryRunResult>? report, CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        var changes = new IntakeChangeSet { ExpectedCustomerVersion = existing?.Version };
        var customer = ApplySnapshot(existing, e, now);
        var orders = ordersBefore.Select(o => o.Copy()).ToList();
        var milestones = new List<string>();

        switch (e)
        {
            case OrderPlaced order when orders.All(o => o.OrderId != order.OrderId):
                var placed = new CustomerOrder
                {
                    CustomerId = e.CustomerId,
                    OrderId = order.OrderId,
                    PlacedAt = order.OccurredAt,
                    Currency = order.Currency,
                    Total = order.Total,
                    Status = OrderStatus.Placed,
                    Skus = string.Join(' ', order.Lines.Select(l => l.Sku).Distinct(StringComparer.Ordinal)),
                };
                orders.Add(placed);
                changes.Orders.Add(placed);
                if (customer is not null)
                {
                    customer.OrderCount = orders.Count;
                    customer.FirstOrderAt = orders.Min(o => o.PlacedAt);
                    customer.LastOrderAt = orders.Max(o => o.PlacedAt);
                }

                milestones.AddRange(MilestoneDetector.Detect(order, ordersBefore, orders, _milestones));
                break;
            case OrderDelivered delivered when orders.FirstOrDefault(o => o.OrderId == delivered.OrderId) is { } order:
                order.Status = order.Status == OrderStatus.Refunded ? OrderStatus.Refunded : OrderStatus.Delivered;
                order.DeliveredAt = delivered.OccurredAt;
                changes.Orders.Add(order);
                break;
            case OrderRefunded refunded when orders.FirstOrDefault(o => o.OrderId == refunded.OrderId) is { } order:
                order.Status = OrderStatus.Refunded;
                order.RefundedAt = refunded.OccurredAt;
                changes.Orders.Add(order);
                break;
        }

        if (customer is not null)
        {
            customer.UpdatedAt = now;
            customer.Version = (existing?.Version ?? -1) + 1;
            changes.Customer = customer;
        }

        // A milestone the shop publishes itself is also recorded under its derived id, so it counts once per
        // customer whatever event id the shop gave it.
        var triggerEventId = e is MilestoneReached shopMilestone ? MilestoneDetector.EventIdFor(e.CustomerId, shopMilestone.Milestone) : e.EventId;
        changes.Events.Add(Processed(e, now));
        if (triggerEventId != e.EventId)
        {
            changes.Events.Add(new ProcessedEvent { EventId = triggerEventId, EventType = e.EventType, CustomerId = e.CustomerId, OccurredAt = e.OccurredAt, ReceivedAt = now });
        }

        await ScheduleAsync(e, triggerEventId, customer ?? existing, orders, changes, now, pending, report, cancellationToken).ConfigureAwait(false);

        foreach (var milestone in milestones)
        {
            var derived = new MilestoneReached
            {
                EventId = MilestoneDetector.EventIdFor(e.CustomerId, milestone),
                OccurredAt = e.OccurredAt,
                CustomerId = e.CustomerId,
                Customer = e.Customer,
                Milestone = milestone,
                OrderId = (e as OrderPlaced)?.OrderId,
            };
            changes.Events.Add(Processed(derived, now));
            await ScheduleAsync(derived, derived.EventId, customer ?? existing, orders, changes, now, pending, report, cancellationToken).ConfigureAwait(false);
        }

        return (changes, milestones, orders);
    }

    private async Task ScheduleAsync(LoyaltyEvent e, string triggerEventId, LoyaltyCustomer? customer, IReadOnlyList<CustomerOrder> orders, IntakeChangeSet changes, DateTimeOffset now, IReadOnlyList<ScheduledStep>? pending, List<FlowDryRunResult>? report, CancellationToken cancellationToken)
    {
        var flows = _flows.ForTrigger(e.EventType);
        if (flows.Count == 0)
        {
            return;
        }

        var openIssues = 0;
        if (flows.Any(f => f.EntryConditions.Any(c => c is BuiltInFlowCondition { Kind: BuiltInCondition.HasOpenServiceIssue })))
        {
            var rows = await Consent.ServiceIssueHistory.ReadRowsAsync(_steps, _flows, e.CustomerId, null, cancellationToken).ConfigureAwait(false);
            if (pending is { Count: > 0 })
            {
                var issueFlows = _flows.ForTrigger(EventTypes.ServiceIssueDetected).Select(f => f.Id).ToHashSet(StringComparer.Ordinal);
                rows.AddRange(pending.Where(s => issueFlows.Contains(s.FlowId)));
            }

            var issues = Consent.ServiceIssueHistory.FromRows(rows);
            openIssues = Consent.ServiceIssueHistory.Open(issues, now, _options.ServiceIssuePause, e.EventId).Count;
        }

        var context = new FlowConditionContext(e, customer, orders, now) { OpenServiceIssues = openIssues };
        var eventJson = JsonSerializer.Serialize(e);
        Templates.TemplateModel? model = null;
        Templates.TemplateModel Model() => model ??= _models.Create(e, customer, purpose: TemplateModelPurpose.Planning);

        foreach (var flow in flows)
        {
            var failed = flow.EntryConditions.FirstOrDefault(c => !_conditions.Holds(c, context, Model));
            if (failed is not null)
            {
                report?.Add(FlowDryRunResult.NotEntered(flow, e, FlowDryRunVerdict.EntryConditionFailed, $"entry condition '{failed.Name}' does not hold"));
                continue;
            }

            var triggerKey = TriggerKey(flow, e);
            if (flow.Reentry.Kind == FlowReentryKind.Cooldown)
            {
                IEnumerable<ScheduledStep> recent = await _steps.QueryAsync(new StepQuery { CustomerId = e.CustomerId, FlowId = flow.Id, Take = 50 }, cancellationToken).ConfigureAwait(false);
                if (pending is { Count: > 0 })
                {
                    recent = recent.Concat(pending.Where(s => s.FlowId == flow.Id));
                }

                var last = recent.FirstOrDefault(s => s.StepIndex == 0 && s.TriggerOccurredAt > e.OccurredAt - flow.Reentry.Cooldown && s.TriggerEventId != triggerEventId);
                if (last is not null)
                {
                    report?.Add(FlowDryRunResult.NotEntered(flow, e, FlowDryRunVerdict.Reentry,
                        $"re-entry: cool-down of {flow.Reentry.Cooldown} since the entry of {last.TriggerOccurredAt:O} has not passed"));
                    continue;
                }
            }
            else if (report is not null)
            {
                var key = DedupeKey(flow, 0, e.CustomerId, triggerKey);
                var entered = await _steps.QueryAsync(new StepQuery { CustomerId = e.CustomerId, FlowId = flow.Id, Take = 500 }, cancellationToken).ConfigureAwait(false);
                if (entered.Any(s => s.DedupeKey == key))
                {
                    report.Add(FlowDryRunResult.NotEntered(flow, e, FlowDryRunVerdict.Reentry, flow.Reentry.Kind == FlowReentryKind.OnceEver
                        ? "re-entry: once ever, and the customer entered before"
                        : $"re-entry: once per trigger, and the customer entered for '{triggerKey}' before"));
                    continue;
                }
            }

            var zone = customer?.TimeZone ?? e.Customer?.TimeZone ?? "UTC";
            var dueTimes = StepDueTimeCalculator.Calculate(flow, e.OccurredAt, zone, Model());
            report?.Add(FlowDryRunResult.Entered(flow, e, triggerKey, dueTimes));
            for (var i = 0; i < flow.Steps.Count; i++)
            {
                var due = dueTimes[i];
                changes.Steps.Add(new ScheduledStep
                {
                    Id = Guid.CreateVersion7(now),
                    DedupeKey = DedupeKey(flow, i, e.CustomerId, triggerKey),
                    FlowId = flow.Id,
                    StepIndex = i,
                    CustomerId = e.CustomerId,
                    TriggerEventId = triggerEventId,
                    TriggerKey = triggerKey,
                    TriggerOccurredAt = e.OccurredAt,
                    EventJson = eventJson,
                    Category = flow.Category,
                    Priority = flow.Priority,
                    DueAt = due,
                    AvailableAt = due,
                    State = StepState.Scheduled,
                    CreatedAt = now,
                    UpdatedAt = now,
                });
            }
        }
    }

    /// <summary>The unique key of one step of one flow for one customer and trigger.</summary>
    internal static string DedupeKey(FlowDefinition flow, int stepIndex, string customerId, string triggerKey) => $"{flow.Id}|{stepIndex}|{customerId}|{triggerKey}";

    /// <summary>The entity a trigger concerns, as far as the flow's re-entry rule cares.</summary>
    internal static string TriggerKey(FlowDefinition flow, LoyaltyEvent e) => flow.Reentry.Kind switch
    {
        FlowReentryKind.OnceEver => "once",
        FlowReentryKind.Cooldown => e.EventId,
        _ => e switch
        {
            ServiceIssueDetected issue => "issue:" + issue.IssueId,
            MilestoneReached milestone => "milestone:" + milestone.Milestone,
            ReviewSubmitted review => $"review:{review.OrderId}:{review.Sku}",
            _ => FlowConditionEvaluator.TriggerOrderId(e) is { } orderId ? "order:" + orderId : "event:" + e.EventId,
        },
    };

    private static ProcessedEvent Processed(LoyaltyEvent e, DateTimeOffset now) => new()
    {
        EventId = e.EventId,
        EventType = e.EventType,
        CustomerId = e.CustomerId,
        OccurredAt = e.OccurredAt,
        ReceivedAt = now,
    };

    internal static LoyaltyCustomer? ApplySnapshot(LoyaltyCustomer? existing, LoyaltyEvent e, DateTimeOffset now)
    {
        var snapshot = e.Customer;
        if (snapshot is null)
        {
            return existing is null ? null : existing.Copy();
        }

        var customer = existing is null
            ? new LoyaltyCustomer { CustomerId = e.CustomerId, Email = snapshot.Email, NormalizedEmail = EmailAddressRules.Normalize(snapshot.Email), CreatedAt = now }
            : existing.Copy();
        customer.Email = snapshot.Email;
        customer.NormalizedEmail = EmailAddressRules.Normalize(snapshot.Email);
        customer.FirstName = snapshot.FirstName ?? customer.FirstName;
        customer.LastName = snapshot.LastName ?? customer.LastName;
        customer.Locale = snapshot.Locale ?? customer.Locale;
        customer.TimeZone = snapshot.TimeZone ?? customer.TimeZone;
        if (snapshot.MarketingConsent is { } consent && (customer.ConsentAt is null || consent.At >= customer.ConsentAt))
        {
            customer.MarketingConsent = consent.Granted;
            customer.ConsentSource = consent.Source;
            customer.ConsentAt = consent.At;
        }

        return customer;
    }
}
