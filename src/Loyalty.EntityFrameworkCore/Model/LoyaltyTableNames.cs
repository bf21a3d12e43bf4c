namespace Loyalty.EntityFrameworkCore;

/// <summary>The table names Loyalty uses, before the prefix of <see cref="LoyaltyModelOptions.TablePrefix"/>.</summary>
public static class LoyaltyTableNames
{
    /// <summary>Accepted events, the idempotency records.</summary>
    public const string ProcessedEvents = "processed_events";

    /// <summary>Customers.</summary>
    public const string Customers = "customers";

    /// <summary>Customers' orders.</summary>
    public const string CustomerOrders = "customer_orders";

    /// <summary>Scheduled steps, the durable unit of work.</summary>
    public const string ScheduledSteps = "scheduled_steps";

    /// <summary>Suppressed addresses.</summary>
    public const string Suppressions = "suppressions";
}
