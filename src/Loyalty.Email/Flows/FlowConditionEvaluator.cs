using Loyalty.Email.Templates;
using Loyalty.Events;
using Loyalty.Stores;

namespace Loyalty.Email.Flows;

/// <summary>Evaluates entry and exit conditions of every kind the same way for intake, dispatch and dry runs.</summary>
public sealed class FlowConditionEvaluator
{
    private readonly ILiquidConditionEvaluator? _liquid;

    /// <summary>Creates the evaluator.</summary>
    public FlowConditionEvaluator(ILiquidConditionEvaluator? liquid = null)
    {
        _liquid = liquid;
    }

    /// <summary>True when <paramref name="condition"/> holds.</summary>
    public bool Holds(FlowCondition condition, FlowConditionContext context, Func<TemplateModel> model)
    {
        ArgumentNullException.ThrowIfNull(condition);
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(model);
        return condition switch
        {
            PredicateCondition predicate => predicate.Predicate(context),
            LiquidExpressionCondition liquid => _liquid?.Evaluate(liquid.Expression, model())
                ?? throw new InvalidOperationException("No Liquid engine is registered for Liquid conditions."),
            BuiltInFlowCondition builtIn => HoldsBuiltIn(builtIn, context),
            _ => throw new NotSupportedException($"Unknown condition type {condition.GetType().Name}."),
        };
    }

    private static bool HoldsBuiltIn(BuiltInFlowCondition condition, FlowConditionContext context)
    {
        var triggerOrderId = TriggerOrderId(context.TriggerEvent);
        return condition.Kind switch
        {
            BuiltInCondition.OrderedAgainSinceTrigger => context.Orders.Any(o =>
                o.PlacedAt > context.TriggerEvent.OccurredAt && o.OrderId != triggerOrderId),
            BuiltInCondition.OrderRefunded => triggerOrderId is not null
                && context.Orders.Any(o => o.OrderId == triggerOrderId && o.Status == OrderStatus.Refunded),
            BuiltInCondition.HasOpenServiceIssue => context.OpenServiceIssues > 0,
            BuiltInCondition.OrderHasTag => context.TriggerEvent is OrderPlaced order
                && order.Lines.Any(l => l.Tags.Contains(condition.Argument!, StringComparer.OrdinalIgnoreCase)),
            BuiltInCondition.OrderHasSku => context.TriggerEvent is OrderPlaced order
                && order.Lines.Any(l => string.Equals(l.Sku, condition.Argument, StringComparison.OrdinalIgnoreCase)),
            BuiltInCondition.MilestoneIs => context.TriggerEvent is MilestoneReached milestone
                && string.Equals(milestone.Milestone, condition.Argument, StringComparison.Ordinal),
            _ => false,
        };
    }

    /// <summary>The order an event concerns, if any.</summary>
    public static string? TriggerOrderId(LoyaltyEvent e) => e switch
    {
        OrderPlaced o => o.OrderId,
        OrderDelivered d => d.OrderId,
        OrderRefunded r => r.OrderId,
        ReviewSubmitted r => r.OrderId,
        ServiceIssueDetected s => s.OrderId,
        MilestoneReached m => m.OrderId,
        _ => null,
    };
}
