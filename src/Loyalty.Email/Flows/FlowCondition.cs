namespace Loyalty.Email.Flows;

/// <summary>A condition over what Loyalty knows when a flow is entered or a step falls due.</summary>
public abstract record FlowCondition
{
    /// <summary>A name used as the reason when the condition stops a customer (e.g. <c>ordered-again</c>).</summary>
    public abstract string Name { get; }
}

/// <summary>A C# predicate (for developers).</summary>
/// <param name="ConditionName">The reason recorded when it decides.</param>
/// <param name="Predicate">The test.</param>
public sealed record PredicateCondition(string ConditionName, Func<FlowConditionContext, bool> Predicate) : FlowCondition
{
    /// <inheritdoc />
    public override string Name => ConditionName;
}

/// <summary>A Liquid boolean expression over the template model (for integrators, in appsettings).</summary>
/// <param name="Expression">E.g. <c>order.total.amount &gt; 1000 and customer.locale == "zh-TW"</c>.</param>
public sealed record LiquidExpressionCondition(string Expression) : FlowCondition
{
    /// <inheritdoc />
    public override string Name => $"liquid: {Expression}";
}

/// <summary>Conditions Loyalty evaluates from its own records.</summary>
public enum BuiltInCondition
{
    /// <summary>The customer placed another order after the trigger.</summary>
    OrderedAgainSinceTrigger,
    /// <summary>The customer has a service issue opened in the pause window.</summary>
    HasOpenServiceIssue,
    /// <summary>The trigger order was refunded.</summary>
    OrderRefunded,
    /// <summary>The event's order contains a line tagged with the argument (entry condition).</summary>
    OrderHasTag,
    /// <summary>The event's order contains the sku given as argument (entry condition).</summary>
    OrderHasSku,
    /// <summary>The event is a <see cref="global::Loyalty.Events.MilestoneReached"/> of the milestone key given as argument, e.g. <c>order-count-5</c> (entry condition).</summary>
    MilestoneIs,
}

/// <summary>One of Loyalty's own conditions, with an optional argument (a tag or a sku).</summary>
/// <param name="Kind">Which condition.</param>
/// <param name="Argument">Its argument, when it takes one.</param>
public sealed record BuiltInFlowCondition(BuiltInCondition Kind, string? Argument = null) : FlowCondition
{
    /// <inheritdoc />
    public override string Name => Kind switch
    {
        BuiltInCondition.OrderedAgainSinceTrigger => "ordered-again",
        BuiltInCondition.HasOpenServiceIssue => "open-service-issue",
        BuiltInCondition.OrderRefunded => "order-refunded",
        BuiltInCondition.OrderHasTag => $"order-has-tag:{Argument}",
        BuiltInCondition.OrderHasSku => $"order-has-sku:{Argument}",
        BuiltInCondition.MilestoneIs => $"milestone:{Argument}",
        _ => Kind.ToString(),
    };
}

/// <summary>What a condition sees.</summary>
public sealed class FlowConditionContext
{
    /// <summary>Creates the context.</summary>
    public FlowConditionContext(global::Loyalty.Events.LoyaltyEvent triggerEvent, global::Loyalty.Stores.LoyaltyCustomer? customer, IReadOnlyList<global::Loyalty.Stores.CustomerOrder> orders, DateTimeOffset now)
    {
        TriggerEvent = triggerEvent;
        Customer = customer;
        Orders = orders;
        Now = now;
    }

    /// <summary>The event that started the flow.</summary>
    public global::Loyalty.Events.LoyaltyEvent TriggerEvent { get; }

    /// <summary>The customer as Loyalty knows them now.</summary>
    public global::Loyalty.Stores.LoyaltyCustomer? Customer { get; }

    /// <summary>The customer's orders.</summary>
    public IReadOnlyList<global::Loyalty.Stores.CustomerOrder> Orders { get; }

    /// <summary>The time of the check.</summary>
    public DateTimeOffset Now { get; }

    /// <summary>Service issues of the customer still inside their pause window.</summary>
    public int OpenServiceIssues { get; init; }
}
