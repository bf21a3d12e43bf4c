namespace Loyalty.Email.Flows;

/// <summary>
/// A behavioural flow: a trigger (an event type), entry conditions, and ordered steps. Built from C#
/// (<see cref="FlowBuilder"/>) or bound from configuration (<see cref="FlowConfigurationReader"/>); both produce this.
/// </summary>
public sealed class FlowDefinition
{
    /// <summary>Unique id, e.g. <c>starter-kit-checkin</c> (letters, digits, '-', '_').</summary>
    public required string Id { get; init; }

    /// <summary>The event type that starts it (<c>OrderPlaced</c>, a custom event's name ...).</summary>
    public required string Trigger { get; init; }

    /// <summary><c>transactional</c>, <c>marketing</c> or <c>marketing:topic</c>.</summary>
    public string Category { get; init; } = EmailCategories.Marketing;

    /// <summary>Higher wins when a frequency cap lets only some marketing through.</summary>
    public int Priority { get; init; }

    /// <summary>All must hold for a customer to enter.</summary>
    public IReadOnlyList<FlowCondition> EntryConditions { get; init; } = [];

    /// <summary>The steps, in order; each waits relative to the trigger plus the steps before it.</summary>
    public required IReadOnlyList<FlowStep> Steps { get; init; }

    /// <summary>When a customer may enter again.</summary>
    public FlowReentry Reentry { get; init; } = FlowReentry.OncePerTrigger;

    /// <summary>A From address for this flow's mail, overriding the default.</summary>
    public string? From { get; init; }

    /// <summary>A Reply-To address for this flow's mail.</summary>
    public string? ReplyTo { get; init; }

    /// <summary>Where the definition came from (<c>code</c> or a configuration path), for error messages.</summary>
    public string Source { get; init; } = "code";
}

/// <summary>One step: wait, re-check exit conditions, act.</summary>
public sealed class FlowStep
{
    /// <summary>How long after the previous point in time this step falls due.</summary>
    public FlowWait Wait { get; init; } = FlowWait.None;

    /// <summary>Any that holds when the step is due skips it (and the steps after it), with the condition's name as reason.</summary>
    public IReadOnlyList<FlowCondition> ExitConditions { get; init; } = [];

    /// <summary>What the step does.</summary>
    public required FlowAction Action { get; init; }
}

/// <summary>
/// A wait: a duration and/or business days from the previous point in time (or from a date in the event), then
/// optionally moved to the next given local time of day in the customer's time zone.
/// </summary>
public sealed record FlowWait
{
    /// <summary>No wait: the step runs at once (immediate steps are dispatched without waiting for a sweep).</summary>
    public static FlowWait None { get; } = new();

    /// <summary>Plain duration.</summary>
    public TimeSpan Duration { get; init; }

    /// <summary>Business days (Monday to Friday in the customer's zone) added after the duration.</summary>
    public int BusinessDays { get; init; }

    /// <summary>Then the next occurrence of this local time of day in the customer's zone.</summary>
    public TimeOnly? AtLocalTime { get; init; }

    /// <summary>
    /// A date in the event to count from instead of the previous point in time, as a model path
    /// (e.g. <c>event.properties.renewal_date</c>).
    /// </summary>
    public string? FromDatePath { get; init; }

    /// <summary>True when the step is due at once.</summary>
    public bool IsImmediate => Duration <= TimeSpan.Zero && BusinessDays == 0 && AtLocalTime is null && FromDatePath is null;
}

/// <summary>How often a customer may enter a flow.</summary>
public sealed record FlowReentry
{
    /// <summary>Once per trigger entity (per order, per issue ...). The default.</summary>
    public static FlowReentry OncePerTrigger { get; } = new() { Kind = FlowReentryKind.OncePerTrigger };

    /// <summary>Once in the customer's life.</summary>
    public static FlowReentry OnceEver { get; } = new() { Kind = FlowReentryKind.OnceEver };

    /// <summary>Again only after <paramref name="cooldown"/> since the last entry.</summary>
    public static FlowReentry WithCooldown(TimeSpan cooldown) => new() { Kind = FlowReentryKind.Cooldown, Cooldown = cooldown };

    /// <summary>Which rule.</summary>
    public FlowReentryKind Kind { get; init; }

    /// <summary>For <see cref="FlowReentryKind.Cooldown"/>.</summary>
    public TimeSpan Cooldown { get; init; }
}

/// <summary>Re-entry rules.</summary>
public enum FlowReentryKind
{
    /// <summary>Once per trigger entity.</summary>
    OncePerTrigger,
    /// <summary>Once ever.</summary>
    OnceEver,
    /// <summary>With a cool-down.</summary>
    Cooldown,
}

/// <summary>The categories of e-mail consent and suppression know.</summary>
public static class EmailCategories
{
    /// <summary>Mail the customer needs (order, apology); no marketing consent needed, still stopped by a hard bounce.</summary>
    public const string Transactional = "transactional";

    /// <summary>Marketing; needs consent, honours unsubscribe, caps and quiet hours.</summary>
    public const string Marketing = "marketing";

    /// <summary>True for <c>marketing</c> and <c>marketing:topic</c>.</summary>
    public static bool IsMarketing(string category) => category == Marketing || category.StartsWith("marketing:", StringComparison.Ordinal);
}
