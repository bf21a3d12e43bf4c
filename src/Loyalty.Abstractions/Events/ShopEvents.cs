using System.Text.Json;
using System.Text.Json.Serialization;

namespace Loyalty.Events;

/// <summary>The customer was created or changed in the shop.</summary>
public sealed record CustomerUpserted : LoyaltyEvent
{
    /// <inheritdoc />
    [JsonIgnore]
    public override string EventType => EventTypes.CustomerUpserted;
}

/// <summary>A customer placed an order.</summary>
public sealed record OrderPlaced : LoyaltyEvent
{
    /// <summary>The shop's order id.</summary>
    public required string OrderId { get; init; }

    /// <summary>The order lines (at least one).</summary>
    public required IReadOnlyList<OrderLine> Lines { get; init; }

    /// <summary>ISO 4217 currency code of every amount in the order.</summary>
    public required string Currency { get; init; }

    /// <summary>What the customer paid, in <see cref="Currency"/>.</summary>
    public required decimal Total { get; init; }

    /// <summary>A referral code the customer entered or arrived with, if any.</summary>
    public string? ReferralCode { get; init; }

    /// <summary>An opaque id of the visitor (attribution cookie), if the shop has one.</summary>
    public string? VisitorId { get; init; }

    /// <summary>A hash of the normalised shipping address, used by fraud rules when supplied.</summary>
    public string? ShippingAddressFingerprint { get; init; }

    /// <summary>A hash of the payment instrument, used by fraud rules when supplied.</summary>
    public string? PaymentFingerprint { get; init; }

    /// <inheritdoc />
    [JsonIgnore]
    public override string EventType => EventTypes.OrderPlaced;
}

/// <summary>One line of an order.</summary>
public sealed record OrderLine
{
    /// <summary>Stock keeping unit, the product's id.</summary>
    public required string Sku { get; init; }

    /// <summary>The product's display name.</summary>
    public required string ProductName { get; init; }

    /// <summary>How many (at least 1).</summary>
    public required int Quantity { get; init; }

    /// <summary>Price of one unit, in the order's currency (not negative).</summary>
    public required decimal UnitPrice { get; init; }

    /// <summary>Product tags (e.g. <c>starter-kit</c>), used by flow conditions.</summary>
    public IReadOnlyList<string> Tags { get; init; } = [];

    /// <summary>The product's page, for review and share links.</summary>
    public string? ProductUrl { get; init; }
}

/// <summary>An order reached the customer.</summary>
public sealed record OrderDelivered : LoyaltyEvent
{
    /// <summary>The shop's order id.</summary>
    public required string OrderId { get; init; }

    /// <inheritdoc />
    [JsonIgnore]
    public override string EventType => EventTypes.OrderDelivered;
}

/// <summary>An order was refunded, wholly or in part.</summary>
public sealed record OrderRefunded : LoyaltyEvent
{
    /// <summary>The shop's order id.</summary>
    public required string OrderId { get; init; }

    /// <summary>The refunded amount, if partial; null means the whole order.</summary>
    public decimal? Amount { get; init; }

    /// <inheritdoc />
    [JsonIgnore]
    public override string EventType => EventTypes.OrderRefunded;
}

/// <summary>A customer reviewed a product.</summary>
public sealed record ReviewSubmitted : LoyaltyEvent
{
    /// <summary>The product reviewed.</summary>
    public required string Sku { get; init; }

    /// <summary>The order the product came with, if known.</summary>
    public string? OrderId { get; init; }

    /// <summary>Stars, 1 to 5.</summary>
    public required int Rating { get; init; }

    /// <summary>The review's text.</summary>
    public string? Text { get; init; }

    /// <summary>The public page of the review, for sharing.</summary>
    public string? ReviewUrl { get; init; }

    /// <summary>The product's display name.</summary>
    public string? ProductName { get; init; }

    /// <inheritdoc />
    [JsonIgnore]
    public override string EventType => EventTypes.ReviewSubmitted;
}

/// <summary>A customer reached a milestone (published by intake, or by the shop for custom milestones).</summary>
public sealed record MilestoneReached : LoyaltyEvent
{
    /// <summary>The milestone's key, e.g. <c>first-order</c>, <c>order-count-5</c>, <c>spend-TWD-10000</c>.</summary>
    public required string Milestone { get; init; }

    /// <summary>The order that reached it, when it came from an order.</summary>
    public string? OrderId { get; init; }

    /// <inheritdoc />
    [JsonIgnore]
    public override string EventType => EventTypes.MilestoneReached;
}

/// <summary>How bad a service issue is.</summary>
public enum ServiceIssueSeverity
{
    /// <summary>Noticeable, not harmful.</summary>
    Low,
    /// <summary>The customer was inconvenienced.</summary>
    Medium,
    /// <summary>The customer did not get what they paid for.</summary>
    High,
}

/// <summary>The shop noticed a bad experience before the customer complained.</summary>
public sealed record ServiceIssueDetected : LoyaltyEvent
{
    /// <summary>The shop's id of the issue (one apology per issue).</summary>
    public required string IssueId { get; init; }

    /// <summary>What went wrong, e.g. <c>late-parcel</c>, <c>stream-stutter</c>, <c>unanswered-question</c>.</summary>
    public required string Kind { get; init; }

    /// <summary>How bad it is.</summary>
    public required ServiceIssueSeverity Severity { get; init; }

    /// <summary>The order concerned, if any.</summary>
    public string? OrderId { get; init; }

    /// <summary>A credit the shop suggests, in <see cref="Currency"/>.</summary>
    public decimal? SuggestedCredit { get; init; }

    /// <summary>ISO 4217 currency of <see cref="SuggestedCredit"/>.</summary>
    public string? Currency { get; init; }

    /// <inheritdoc />
    [JsonIgnore]
    public override string EventType => EventTypes.ServiceIssueDetected;
}

/// <summary>An event of the shop's own, with a name and JSON properties.</summary>
public sealed record CustomEvent : LoyaltyEvent
{
    /// <summary>The event's name; flows trigger on it (letters, digits, '-', '_' and '.').</summary>
    public required string Name { get; init; }

    /// <summary>A JSON object of properties, exposed to templates and conditions as <c>event.properties</c>.</summary>
    public JsonElement Properties { get; init; }

    /// <inheritdoc />
    [JsonIgnore]
    public override string EventType => Name;
}

/// <summary>The names of the built-in event types.</summary>
public static class EventTypes
{
    /// <summary><see cref="Events.CustomerUpserted"/>.</summary>
    public const string CustomerUpserted = nameof(Events.CustomerUpserted);
    /// <summary><see cref="Events.OrderPlaced"/>.</summary>
    public const string OrderPlaced = nameof(Events.OrderPlaced);
    /// <summary><see cref="Events.OrderDelivered"/>.</summary>
    public const string OrderDelivered = nameof(Events.OrderDelivered);
    /// <summary><see cref="Events.OrderRefunded"/>.</summary>
    public const string OrderRefunded = nameof(Events.OrderRefunded);
    /// <summary><see cref="Events.ReviewSubmitted"/>.</summary>
    public const string ReviewSubmitted = nameof(Events.ReviewSubmitted);
    /// <summary><see cref="Events.MilestoneReached"/>.</summary>
    public const string MilestoneReached = nameof(Events.MilestoneReached);
    /// <summary><see cref="Events.ServiceIssueDetected"/>.</summary>
    public const string ServiceIssueDetected = nameof(Events.ServiceIssueDetected);
}
