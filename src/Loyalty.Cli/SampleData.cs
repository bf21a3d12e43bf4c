using Loyalty.Events;

namespace Loyalty.Cli;

/// <summary>The built-in sample events <c>templates preview</c> renders with when no <c>--data</c> is given.</summary>
internal static class SampleData
{
    /// <summary>A customer's time zone for a locale, so sample dates look local.</summary>
    public static string TimeZoneFor(string locale) => locale switch
    {
        _ when locale.StartsWith("zh-TW", StringComparison.OrdinalIgnoreCase) || locale.StartsWith("zh-Hant", StringComparison.OrdinalIgnoreCase) => "Asia/Taipei",
        _ when locale.StartsWith("zh", StringComparison.OrdinalIgnoreCase) => "Asia/Shanghai",
        _ when locale.StartsWith("th", StringComparison.OrdinalIgnoreCase) => "Asia/Bangkok",
        _ => "UTC",
    };

    private static string CurrencyFor(string locale) => locale switch
    {
        _ when locale.StartsWith("zh-TW", StringComparison.OrdinalIgnoreCase) => "TWD",
        _ when locale.StartsWith("zh", StringComparison.OrdinalIgnoreCase) => "CNY",
        _ when locale.StartsWith("th", StringComparison.OrdinalIgnoreCase) => "THB",
        _ => "USD",
    };

    /// <summary>A sample event of <paramref name="eventType"/> (an <see cref="OrderPlaced"/> for unknown types).</summary>
    public static LoyaltyEvent EventFor(string eventType, string locale, DateTimeOffset now)
    {
        var customer = new CustomerSnapshot { Email = "mei@example.com", FirstName = "Mei", LastName = "Lin", Locale = locale, TimeZone = TimeZoneFor(locale) };
        var currency = CurrencyFor(locale);
        const string customerId = "sample-customer";
        const string orderId = "1001";
        return eventType switch
        {
            EventTypes.OrderDelivered => new OrderDelivered { EventId = "sample:delivered", OccurredAt = now, CustomerId = customerId, Customer = customer, OrderId = orderId },
            EventTypes.OrderRefunded => new OrderRefunded { EventId = "sample:refunded", OccurredAt = now, CustomerId = customerId, Customer = customer, OrderId = orderId, Amount = 12m },
            EventTypes.ReviewSubmitted => new ReviewSubmitted
            {
                EventId = "sample:review", OccurredAt = now, CustomerId = customerId, Customer = customer, OrderId = orderId, Sku = "starter-kit",
                Rating = 5, Text = "Lovely kit, easy to start with.", ProductName = "Starter Kit", ReviewUrl = "https://shop.example/reviews/1",
            },
            EventTypes.MilestoneReached => new MilestoneReached { EventId = "sample:milestone", OccurredAt = now, CustomerId = customerId, Customer = customer, Milestone = "order-count-5", OrderId = orderId },
            EventTypes.ServiceIssueDetected => new ServiceIssueDetected
            {
                EventId = "sample:issue", OccurredAt = now, CustomerId = customerId, Customer = customer, IssueId = "late-1001", Kind = "late-delivery",
                Severity = ServiceIssueSeverity.Medium, OrderId = orderId, SuggestedCredit = 5m, Currency = currency,
            },
            _ => new OrderPlaced
            {
                EventId = "sample:order", OccurredAt = now, CustomerId = customerId, Customer = customer, OrderId = orderId, Currency = currency, Total = 1200m,
                Lines =
                [
                    new OrderLine { Sku = "starter-kit", ProductName = "Starter Kit", Quantity = 1, UnitPrice = 1000m, Tags = ["starter-kit"], ProductUrl = "https://shop.example/p/starter-kit" },
                    new OrderLine { Sku = "refill", ProductName = "Refill", Quantity = 2, UnitPrice = 100m, ProductUrl = "https://shop.example/p/refill" },
                ],
            },
        };
    }
}
