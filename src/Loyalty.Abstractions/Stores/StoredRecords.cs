namespace Loyalty.Stores;

/// <summary>What Loyalty knows of a customer: the latest snapshot the shop sent and facts derived from events.</summary>
public sealed class LoyaltyCustomer
{
    /// <summary>A copy of this record (every member is a value or a string), so a store never hands out its own instance.</summary>
    public LoyaltyCustomer Copy() => (LoyaltyCustomer)MemberwiseClone();

    /// <summary>The shop's customer id.</summary>
    public required string CustomerId { get; set; }

    /// <summary>The address mail goes to.</summary>
    public required string Email { get; set; }

    /// <summary>Lower-cased address, for look-ups and suppression.</summary>
    public required string NormalizedEmail { get; set; }

    /// <summary>Given name.</summary>
    public string? FirstName { get; set; }

    /// <summary>Family name.</summary>
    public string? LastName { get; set; }

    /// <summary>BCP 47 locale; null means the shop's default.</summary>
    public string? Locale { get; set; }

    /// <summary>IANA time zone; null means the shop's default.</summary>
    public string? TimeZone { get; set; }

    /// <summary>Marketing consent: true granted, false refused or withdrawn, null never asked.</summary>
    public bool? MarketingConsent { get; set; }

    /// <summary>Where consent was last given or withdrawn.</summary>
    public string? ConsentSource { get; set; }

    /// <summary>When consent was last given or withdrawn.</summary>
    public DateTimeOffset? ConsentAt { get; set; }

    /// <summary>Distinct orders received.</summary>
    public int OrderCount { get; set; }

    /// <summary>When the first order was placed.</summary>
    public DateTimeOffset? FirstOrderAt { get; set; }

    /// <summary>When the latest order was placed.</summary>
    public DateTimeOffset? LastOrderAt { get; set; }

    /// <summary>First seen by Loyalty.</summary>
    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>Last changed.</summary>
    public DateTimeOffset UpdatedAt { get; set; }

    /// <summary>Optimistic concurrency token: every change increments it.</summary>
    public int Version { get; set; }
}

/// <summary>The state of an order as Loyalty saw it.</summary>
public enum OrderStatus
{
    /// <summary>Placed, not yet delivered.</summary>
    Placed,
    /// <summary>Reached the customer.</summary>
    Delivered,
    /// <summary>Refunded, wholly or in part.</summary>
    Refunded,
}

/// <summary>An order of a customer, kept for milestones, exit conditions and referrals.</summary>
public sealed class CustomerOrder
{
    /// <summary>A copy of this record (every member is a value or a string), so a store never hands out its own instance.</summary>
    public CustomerOrder Copy() => (CustomerOrder)MemberwiseClone();

    /// <summary>The customer.</summary>
    public required string CustomerId { get; set; }

    /// <summary>The shop's order id.</summary>
    public required string OrderId { get; set; }

    /// <summary>When it was placed.</summary>
    public DateTimeOffset PlacedAt { get; set; }

    /// <summary>ISO 4217 currency.</summary>
    public required string Currency { get; set; }

    /// <summary>What the customer paid.</summary>
    public decimal Total { get; set; }

    /// <summary>Where the order is.</summary>
    public OrderStatus Status { get; set; }

    /// <summary>When it was delivered.</summary>
    public DateTimeOffset? DeliveredAt { get; set; }

    /// <summary>When it was refunded.</summary>
    public DateTimeOffset? RefundedAt { get; set; }

    /// <summary>The skus of its lines, space-separated.</summary>
    public string Skus { get; set; } = "";
}

/// <summary>An event that intake has accepted: the idempotency record.</summary>
public sealed class ProcessedEvent
{
    /// <summary>A copy of this record (every member is a value or a string), so a store never hands out its own instance.</summary>
    public ProcessedEvent Copy() => (ProcessedEvent)MemberwiseClone();

    /// <summary>The shop's event id.</summary>
    public required string EventId { get; set; }

    /// <summary>The event's type.</summary>
    public required string EventType { get; set; }

    /// <summary>The customer it concerned.</summary>
    public required string CustomerId { get; set; }

    /// <summary>When it happened.</summary>
    public DateTimeOffset OccurredAt { get; set; }

    /// <summary>When Loyalty accepted it.</summary>
    public DateTimeOffset ReceivedAt { get; set; }
}

/// <summary>The life of a scheduled step. Terminal states are Sent, Skipped and Failed.</summary>
public enum StepState
{
    /// <summary>Waiting for its due time.</summary>
    Scheduled,
    /// <summary>Due but held back (frequency cap, quiet hours, transient failure); will be tried again.</summary>
    Held,
    /// <summary>Done: the e-mail was accepted by the server, or the action ran.</summary>
    Sent,
    /// <summary>Not done on purpose; <see cref="ScheduledStep.Reason"/> says why.</summary>
    Skipped,
    /// <summary>Gave up; <see cref="ScheduledStep.Reason"/> says why.</summary>
    Failed,
}

/// <summary>
/// One step of one flow for one customer and one trigger: the durable unit of scheduled work. Its
/// <see cref="DedupeKey"/> is unique, so a repeated event schedules nothing twice.
/// </summary>
public sealed class ScheduledStep
{
    /// <summary>A copy of this record (every member is a value or a string), so a store never hands out its own instance.</summary>
    public ScheduledStep Copy() => (ScheduledStep)MemberwiseClone();

    /// <summary>Row id; also the seed of the stable Message-ID.</summary>
    public Guid Id { get; set; }

    /// <summary>(flow, step, customer, trigger) as one unique string.</summary>
    public required string DedupeKey { get; set; }

    /// <summary>The flow's id.</summary>
    public required string FlowId { get; set; }

    /// <summary>Index of the step within the flow.</summary>
    public int StepIndex { get; set; }

    /// <summary>The customer.</summary>
    public required string CustomerId { get; set; }

    /// <summary>The event that started the flow.</summary>
    public required string TriggerEventId { get; set; }

    /// <summary>The entity the trigger concerned (order id, issue id ...), for re-entry and exit rules.</summary>
    public string? TriggerKey { get; set; }

    /// <summary>When the trigger happened.</summary>
    public DateTimeOffset TriggerOccurredAt { get; set; }

    /// <summary>The trigger event as JSON, the model templates render from.</summary>
    public required string EventJson { get; set; }

    /// <summary><c>transactional</c> or <c>marketing</c> / <c>marketing:topic</c>.</summary>
    public required string Category { get; set; }

    /// <summary>Higher wins when a frequency cap allows only some sends.</summary>
    public int Priority { get; set; }

    /// <summary>When the step falls due.</summary>
    public DateTimeOffset DueAt { get; set; }

    /// <summary>
    /// When the row may next be claimed: the due time, then a lease's end while a worker holds it, a retry's
    /// backoff or the end of a hold. The one column the claim query filters and orders on.
    /// </summary>
    public DateTimeOffset AvailableAt { get; set; }

    /// <summary>The row's state.</summary>
    public StepState State { get; set; }

    /// <summary>How many times a worker tried it.</summary>
    public int Attempts { get; set; }

    /// <summary>The worker holding the current lease.</summary>
    public string? LeaseOwner { get; set; }

    /// <summary>Why it was held, skipped or failed.</summary>
    public string? Reason { get; set; }

    /// <summary>The Message-ID of the e-mail sent.</summary>
    public string? MessageId { get; set; }

    /// <summary>Created.</summary>
    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>Last changed.</summary>
    public DateTimeOffset UpdatedAt { get; set; }

    /// <summary>When it reached a terminal state.</summary>
    public DateTimeOffset? CompletedAt { get; set; }

    /// <summary>Guard for every transition: a write succeeds only if the version is still the one read.</summary>
    public int Version { get; set; }

    /// <summary>True for Sent, Skipped and Failed.</summary>
    public bool IsTerminal => State is StepState.Sent or StepState.Skipped or StepState.Failed;
}

/// <summary>An address that must not receive mail of a category (or of any, when <see cref="Category"/> is <c>*</c>).</summary>
public sealed class Suppression
{
    /// <summary>A copy of this record (every member is a value or a string), so a store never hands out its own instance.</summary>
    public Suppression Copy() => (Suppression)MemberwiseClone();

    /// <summary>The lower-cased address.</summary>
    public required string NormalizedEmail { get; set; }

    /// <summary><c>*</c> for everything, <c>marketing</c> for all marketing, <c>marketing:topic</c> for one topic.</summary>
    public required string Category { get; set; }

    /// <summary>Why: <c>unsubscribed</c>, <c>hard-bounce</c>, <c>complaint</c> ...</summary>
    public required string Reason { get; set; }

    /// <summary>When.</summary>
    public DateTimeOffset CreatedAt { get; set; }
}
