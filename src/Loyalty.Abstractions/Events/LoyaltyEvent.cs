using System.Text.Json.Serialization;

namespace Loyalty.Events;

/// <summary>
/// Something that happened in the shop and that Loyalty may react to. Every event carries the
/// shop's own idempotency key (<see cref="EventId"/>): publishing the same id twice has the effect of once.
/// </summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "$type")]
[JsonDerivedType(typeof(CustomerUpserted), EventTypes.CustomerUpserted)]
[JsonDerivedType(typeof(OrderPlaced), EventTypes.OrderPlaced)]
[JsonDerivedType(typeof(OrderDelivered), EventTypes.OrderDelivered)]
[JsonDerivedType(typeof(OrderRefunded), EventTypes.OrderRefunded)]
[JsonDerivedType(typeof(ReviewSubmitted), EventTypes.ReviewSubmitted)]
[JsonDerivedType(typeof(MilestoneReached), EventTypes.MilestoneReached)]
[JsonDerivedType(typeof(ServiceIssueDetected), EventTypes.ServiceIssueDetected)]
[JsonDerivedType(typeof(CustomEvent), "Custom")]
public abstract record LoyaltyEvent
{
    /// <summary>The shop-supplied idempotency key of this event (at most 200 characters).</summary>
    public required string EventId { get; init; }

    /// <summary>When it happened in the shop, with its offset.</summary>
    public required DateTimeOffset OccurredAt { get; init; }

    /// <summary>The shop's id of the customer the event concerns.</summary>
    public required string CustomerId { get; init; }

    /// <summary>
    /// Optional snapshot of the customer, so that a shop can publish one event instead of a
    /// <see cref="CustomerUpserted"/> followed by the event. When present it updates the customer's facts.
    /// </summary>
    public CustomerSnapshot? Customer { get; init; }

    /// <summary>The name flows use as their trigger (e.g. <c>OrderPlaced</c>; a custom event's own name).</summary>
    [JsonIgnore]
    public abstract string EventType { get; }
}

/// <summary>What the shop knows of a customer at the time of an event.</summary>
public sealed record CustomerSnapshot
{
    /// <summary>The customer's e-mail address (one mailbox, no display name).</summary>
    public required string Email { get; init; }

    /// <summary>Given name, used in greetings.</summary>
    public string? FirstName { get; init; }

    /// <summary>Family name.</summary>
    public string? LastName { get; init; }

    /// <summary>BCP 47 locale such as <c>en</c>, <c>zh-TW</c>, <c>zh-CN</c>, <c>th-TH</c>.</summary>
    public string? Locale { get; init; }

    /// <summary>IANA time zone such as <c>Asia/Taipei</c>.</summary>
    public string? TimeZone { get; init; }

    /// <summary>A change of marketing consent, when this snapshot carries one.</summary>
    public ConsentChange? MarketingConsent { get; init; }
}

/// <summary>A consent decision with its provenance (what a regulator asks to see).</summary>
/// <param name="Granted">True when the customer agreed to marketing e-mail.</param>
/// <param name="Source">Where it was given (e.g. <c>checkout-checkbox</c>).</param>
/// <param name="At">When it was given.</param>
public sealed record ConsentChange(bool Granted, string Source, DateTimeOffset At);
