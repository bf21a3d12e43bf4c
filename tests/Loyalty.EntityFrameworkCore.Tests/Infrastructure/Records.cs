using Loyalty.Stores;

namespace Loyalty.EntityFrameworkCore.Tests.Infrastructure;

/// <summary>Test records with sensible defaults.</summary>
public static class Records
{
    public static readonly DateTimeOffset T0 = new(2026, 3, 1, 9, 0, 0, TimeSpan.Zero);

    public static ProcessedEvent Event(string eventId, string customerId = "c1", string type = "OrderPlaced") => new()
    {
        EventId = eventId,
        EventType = type,
        CustomerId = customerId,
        OccurredAt = T0,
        ReceivedAt = T0,
    };

    public static LoyaltyCustomer Customer(string customerId = "c1", string email = "Ann@Example.com") => new()
    {
        CustomerId = customerId,
        Email = email,
        NormalizedEmail = email.ToLowerInvariant(),
        FirstName = "Ann",
        Locale = "zh-TW",
        TimeZone = "Asia/Taipei",
        MarketingConsent = true,
        OrderCount = 1,
        FirstOrderAt = T0,
        LastOrderAt = T0,
        CreatedAt = T0,
        UpdatedAt = T0,
    };

    public static CustomerOrder Order(string orderId, string customerId = "c1", decimal total = 1234.5678m) => new()
    {
        CustomerId = customerId,
        OrderId = orderId,
        PlacedAt = T0,
        Currency = "TWD",
        Total = total,
        Status = OrderStatus.Placed,
        Skus = "STARTER-KIT",
    };

    public static ScheduledStep Step(
        string dedupeKey,
        DateTimeOffset availableAt,
        StepState state = StepState.Scheduled,
        string customerId = "c1",
        string triggerEventId = "e1",
        string flowId = "check-in") => new()
        {
            Id = Guid.NewGuid(),
            DedupeKey = dedupeKey,
            FlowId = flowId,
            StepIndex = 0,
            CustomerId = customerId,
            TriggerEventId = triggerEventId,
            TriggerOccurredAt = T0,
            EventJson = "{}",
            Category = "marketing",
            DueAt = availableAt,
            AvailableAt = availableAt,
            State = state,
            CreatedAt = T0,
            UpdatedAt = T0,
            CompletedAt = state is StepState.Sent or StepState.Skipped or StepState.Failed ? availableAt : null,
        };

    /// <summary>A change set with one event and nothing else, to put steps into the store.</summary>
    public static IntakeChangeSet Schedule(string eventId, params ScheduledStep[] steps)
    {
        var changes = new IntakeChangeSet();
        changes.Events.Add(Event(eventId));
        changes.Steps.AddRange(steps);
        return changes;
    }
}
