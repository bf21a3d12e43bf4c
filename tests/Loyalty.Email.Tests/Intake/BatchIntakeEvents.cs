using Loyalty.Events;

namespace Loyalty.Tests.Shared;

/// <summary>
/// The events of the batched-intake tests, shared by the in-memory ones (Loyalty.Email.Tests) and the database ones
/// (Loyalty.EntityFrameworkCore.Tests links this file), so both publish the same orders and issues.
/// </summary>
internal static class BatchIntakeEvents
{
    /// <summary>The tests' clock.</summary>
    public static readonly DateTimeOffset Now = new(2026, 5, 4, 8, 0, 0, TimeSpan.Zero);

    public static OrderPlaced Order(string eventId, string customerId, string orderId) => new()
    {
        EventId = eventId,
        OccurredAt = Now,
        CustomerId = customerId,
        Customer = new CustomerSnapshot { Email = customerId + "@example.test", FirstName = "Mei", TimeZone = "Asia/Taipei", MarketingConsent = new ConsentChange(true, "checkout", Now) },
        OrderId = orderId,
        Currency = "TWD",
        Total = 1200m,
        Lines = [new OrderLine { Sku = "tea-1", ProductName = "Oolong", Quantity = 1, UnitPrice = 1200m }],
    };

    public static ServiceIssueDetected Issue(string eventId, string customerId, string issueId) => new()
    {
        EventId = eventId, OccurredAt = Now, CustomerId = customerId, IssueId = issueId, Kind = "late-parcel", Severity = ServiceIssueSeverity.Medium,
    };
}
