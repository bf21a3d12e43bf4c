using System.Globalization;
using Loyalty.Events;
using Loyalty.Stores;

namespace Loyalty.Email.Milestones;

/// <summary>
/// Decides which milestones an order reaches, from the customer's distinct orders (so a repeated or late event
/// counts once and in its place). Each milestone is published with an event id derived from (customer, milestone),
/// which is what makes it once per customer per milestone.
/// </summary>
public static class MilestoneDetector
{
    /// <summary>The well-known key of the first order.</summary>
    public const string FirstOrder = "first-order";

    /// <summary>The well-known key of the first purchase's anniversary.</summary>
    public const string FirstPurchaseAnniversary = "first-purchase-anniversary";

    /// <summary>The event id of a milestone: the same for the same customer and milestone, whoever publishes it.</summary>
    public static string EventIdFor(string customerId, string milestone) => $"milestone:{customerId}:{milestone}";

    /// <summary>
    /// The milestones reached by <paramref name="order"/>, given the customer's distinct orders after it was added
    /// (<paramref name="ordersAfter"/>).
    /// </summary>
    public static IReadOnlyList<string> Detect(OrderPlaced order, IReadOnlyList<CustomerOrder> ordersBefore, IReadOnlyList<CustomerOrder> ordersAfter, MilestoneOptions options)
    {
        ArgumentNullException.ThrowIfNull(order);
        ArgumentNullException.ThrowIfNull(ordersBefore);
        ArgumentNullException.ThrowIfNull(ordersAfter);
        ArgumentNullException.ThrowIfNull(options);
        var reached = new List<string>();
        var before = ordersBefore.Count;
        var after = ordersAfter.Count;
        if (after == before)
        {
            return reached;
        }

        if (options.FirstOrder && before == 0)
        {
            reached.Add(FirstOrder);
        }

        foreach (var count in options.OrderCounts)
        {
            if (count > before && count <= after)
            {
                reached.Add($"order-count-{count}");
            }
        }

        if (options.SpendThresholds.TryGetValue(order.Currency, out var thresholds))
        {
            var spentBefore = ordersBefore.Where(o => o.Currency == order.Currency && o.Status != OrderStatus.Refunded).Sum(o => o.Total);
            var spentAfter = spentBefore + order.Total;
            foreach (var threshold in thresholds)
            {
                if (threshold > spentBefore && threshold <= spentAfter)
                {
                    reached.Add($"spend-{order.Currency}-{threshold.ToString("0.##", CultureInfo.InvariantCulture)}");
                }
            }
        }

        return reached;
    }
}
