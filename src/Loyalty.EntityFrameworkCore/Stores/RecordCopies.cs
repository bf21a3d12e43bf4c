using Loyalty.Stores;

namespace Loyalty.EntityFrameworkCore.Stores;

/// <summary>
/// Copies of the caller's records: the stores track their own copies, so a caller that keeps or retries with its
/// objects never finds them attached to a context, and a context never holds objects its owner does not know.
/// </summary>
internal static class RecordCopies
{
    public static ProcessedEvent Copy(this ProcessedEvent e) => new()
    {
        EventId = e.EventId,
        EventType = e.EventType,
        CustomerId = e.CustomerId,
        OccurredAt = e.OccurredAt,
        ReceivedAt = e.ReceivedAt,
    };

    public static LoyaltyCustomer Copy(this LoyaltyCustomer c) => new()
    {
        CustomerId = c.CustomerId,
        Email = c.Email,
        NormalizedEmail = c.NormalizedEmail,
        FirstName = c.FirstName,
        LastName = c.LastName,
        Locale = c.Locale,
        TimeZone = c.TimeZone,
        MarketingConsent = c.MarketingConsent,
        ConsentSource = c.ConsentSource,
        ConsentAt = c.ConsentAt,
        OrderCount = c.OrderCount,
        FirstOrderAt = c.FirstOrderAt,
        LastOrderAt = c.LastOrderAt,
        CreatedAt = c.CreatedAt,
        UpdatedAt = c.UpdatedAt,
        Version = c.Version,
    };

    public static CustomerOrder Copy(this CustomerOrder o) => new()
    {
        CustomerId = o.CustomerId,
        OrderId = o.OrderId,
        PlacedAt = o.PlacedAt,
        Currency = o.Currency,
        Total = o.Total,
        Status = o.Status,
        DeliveredAt = o.DeliveredAt,
        RefundedAt = o.RefundedAt,
        Skus = o.Skus,
    };

    public static ScheduledStep Copy(this ScheduledStep s) => new()
    {
        Id = s.Id,
        DedupeKey = s.DedupeKey,
        FlowId = s.FlowId,
        StepIndex = s.StepIndex,
        CustomerId = s.CustomerId,
        TriggerEventId = s.TriggerEventId,
        TriggerKey = s.TriggerKey,
        TriggerOccurredAt = s.TriggerOccurredAt,
        EventJson = s.EventJson,
        Category = s.Category,
        Priority = s.Priority,
        DueAt = s.DueAt,
        AvailableAt = s.AvailableAt,
        State = s.State,
        Attempts = s.Attempts,
        LeaseOwner = s.LeaseOwner,
        Reason = s.Reason,
        MessageId = s.MessageId,
        CreatedAt = s.CreatedAt,
        UpdatedAt = s.UpdatedAt,
        CompletedAt = s.CompletedAt,
        Version = s.Version,
    };

    public static Suppression Copy(this Suppression s) => new()
    {
        NormalizedEmail = s.NormalizedEmail,
        Category = s.Category,
        Reason = s.Reason,
        CreatedAt = s.CreatedAt,
    };
}
