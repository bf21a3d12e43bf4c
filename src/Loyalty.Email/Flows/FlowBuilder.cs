namespace Loyalty.Email.Flows;

/// <summary>
/// Builds a <see cref="FlowDefinition"/> fluently:
/// <c>flows.Add("starter-kit-checkin").On("OrderPlaced").WhenOrderHasTag("starter-kit").Transactional()
/// .Wait(TimeSpan.FromDays(30)).ExitWhen(BuiltInCondition.OrderedAgainSinceTrigger).Send("starter-kit-checkin")</c>.
/// </summary>
public sealed class FlowBuilder
{
    private readonly List<FlowCondition> _entry = [];
    private readonly List<FlowStep> _steps = [];
    private FlowWait _pendingWait = FlowWait.None;
    private readonly List<FlowCondition> _pendingExits = [];
    private string? _trigger;
    private string _category = EmailCategories.Marketing;
    private int _priority;
    private FlowReentry _reentry = FlowReentry.OncePerTrigger;
    private string? _from;
    private string? _replyTo;

    /// <summary>Starts a flow with the given id.</summary>
    public FlowBuilder(string id)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(id);
        Id = id;
    }

    /// <summary>The flow's id.</summary>
    public string Id { get; }

    /// <summary>The event type that starts the flow.</summary>
    public FlowBuilder On(string eventType)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(eventType);
        _trigger = eventType;
        return this;
    }

    /// <summary>Marks the flow's mail transactional (no marketing consent needed).</summary>
    public FlowBuilder Transactional() => InCategory(EmailCategories.Transactional);

    /// <summary>Marks the flow's mail marketing, optionally of a named topic.</summary>
    public FlowBuilder Marketing(string? topic = null) => InCategory(topic is null ? EmailCategories.Marketing : $"{EmailCategories.Marketing}:{topic}");

    /// <summary>Sets the category (<c>transactional</c>, <c>marketing</c>, <c>marketing:topic</c>).</summary>
    public FlowBuilder InCategory(string category)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(category);
        _category = category;
        return this;
    }

    /// <summary>Priority under a frequency cap (higher wins).</summary>
    public FlowBuilder WithPriority(int priority)
    {
        _priority = priority;
        return this;
    }

    /// <summary>Re-entry rule.</summary>
    public FlowBuilder Reenter(FlowReentry reentry)
    {
        ArgumentNullException.ThrowIfNull(reentry);
        _reentry = reentry;
        return this;
    }

    /// <summary>From and Reply-To for this flow's mail.</summary>
    public FlowBuilder SendFrom(string? from, string? replyTo = null)
    {
        _from = from;
        _replyTo = replyTo;
        return this;
    }

    /// <summary>Adds an entry condition.</summary>
    public FlowBuilder When(FlowCondition condition)
    {
        ArgumentNullException.ThrowIfNull(condition);
        _entry.Add(condition);
        return this;
    }

    /// <summary>Adds a C# entry condition.</summary>
    public FlowBuilder When(string name, Func<FlowConditionContext, bool> predicate) => When(new PredicateCondition(name, predicate));

    /// <summary>Adds a Liquid entry condition.</summary>
    public FlowBuilder WhenLiquid(string expression) => When(new LiquidExpressionCondition(expression));

    /// <summary>Enters only when the order has a line with this tag.</summary>
    public FlowBuilder WhenOrderHasTag(string tag) => When(new BuiltInFlowCondition(BuiltInCondition.OrderHasTag, tag));

    /// <summary>Enters only when the order has this sku.</summary>
    public FlowBuilder WhenOrderHasSku(string sku) => When(new BuiltInFlowCondition(BuiltInCondition.OrderHasSku, sku));

    /// <summary>Enters only on the milestone with this key (for flows triggered by <c>MilestoneReached</c>), e.g. <c>order-count-5</c>.</summary>
    public FlowBuilder WhenMilestone(string milestoneKey) => When(new BuiltInFlowCondition(BuiltInCondition.MilestoneIs, milestoneKey));

    /// <summary>Sets the wait of the next step.</summary>
    public FlowBuilder Wait(FlowWait wait)
    {
        ArgumentNullException.ThrowIfNull(wait);
        _pendingWait = wait;
        return this;
    }

    /// <summary>Waits a duration before the next step.</summary>
    public FlowBuilder Wait(TimeSpan duration) => Wait(new FlowWait { Duration = duration });

    /// <summary>Adds an exit condition to the next step.</summary>
    public FlowBuilder ExitWhen(FlowCondition condition)
    {
        ArgumentNullException.ThrowIfNull(condition);
        _pendingExits.Add(condition);
        return this;
    }

    /// <summary>Adds a built-in exit condition to the next step.</summary>
    public FlowBuilder ExitWhen(BuiltInCondition condition) => ExitWhen(new BuiltInFlowCondition(condition));

    /// <summary>Adds a C# exit condition to the next step.</summary>
    public FlowBuilder ExitWhen(string name, Func<FlowConditionContext, bool> predicate) => ExitWhen(new PredicateCondition(name, predicate));

    /// <summary>Adds a step that sends a template (after the pending wait and exit conditions).</summary>
    public FlowBuilder Send(string templateName) => Then(new SendTemplateAction(templateName));

    /// <summary>Adds a step that issues a credit through the host's <see cref="ICreditIssuer"/>.</summary>
    public FlowBuilder IssueCredit(string kind) => Then(new IssueCreditAction(kind));

    /// <summary>Adds a step that publishes a custom event.</summary>
    public FlowBuilder Publish(string eventName) => Then(new PublishEventAction(eventName));

    /// <summary>Adds a step with the given action.</summary>
    public FlowBuilder Then(FlowAction action)
    {
        ArgumentNullException.ThrowIfNull(action);
        _steps.Add(new FlowStep { Wait = _pendingWait, ExitConditions = [.. _pendingExits], Action = action });
        _pendingWait = FlowWait.None;
        _pendingExits.Clear();
        return this;
    }

    /// <summary>Builds the definition (validated later, with every other flow, at start-up).</summary>
    public FlowDefinition Build() => new()
    {
        Id = Id,
        Trigger = _trigger ?? "",
        Category = _category,
        Priority = _priority,
        EntryConditions = [.. _entry],
        Steps = [.. _steps],
        Reentry = _reentry,
        From = _from,
        ReplyTo = _replyTo,
    };
}
