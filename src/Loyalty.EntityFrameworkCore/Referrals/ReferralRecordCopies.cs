using Loyalty.Stores;

namespace Loyalty.EntityFrameworkCore.Referrals;

/// <summary>
/// Copies of the caller's referral records: the stores add their own copies to the context, so a caller that keeps
/// or retries with its objects never finds them attached to a context.
/// </summary>
internal static class ReferralRecordCopies
{
    public static ReferralCode Copy(this ReferralCode c) => new()
    {
        Code = c.Code,
        CustomerId = c.CustomerId,
        IsVanity = c.IsVanity,
        Disabled = c.Disabled,
        CreatedAt = c.CreatedAt,
    };

    public static ReferralVisit Copy(this ReferralVisit v) => new()
    {
        Id = v.Id,
        Code = v.Code,
        AdvocateCustomerId = v.AdvocateCustomerId,
        VisitorId = v.VisitorId,
        IpHash = v.IpHash,
        Network = v.Network,
        VisitedAt = v.VisitedAt,
    };

    public static ReferralAttribution Copy(this ReferralAttribution a) => new()
    {
        FriendCustomerId = a.FriendCustomerId,
        AdvocateCustomerId = a.AdvocateCustomerId,
        Code = a.Code,
        OrderId = a.OrderId,
        OrderPlacedAt = a.OrderPlacedAt,
        Touch = a.Touch,
        Network = a.Network,
        IpHash = a.IpHash,
        Refunded = a.Refunded,
        AttributedAt = a.AttributedAt,
    };

    public static ReferralReward Copy(this ReferralReward r) => new()
    {
        Id = r.Id,
        IdempotencyKey = r.IdempotencyKey,
        Kind = r.Kind,
        CustomerId = r.CustomerId,
        AdvocateCustomerId = r.AdvocateCustomerId,
        FriendCustomerId = r.FriendCustomerId,
        OrderId = r.OrderId,
        Network = r.Network,
        Currency = r.Currency,
        State = r.State,
        Reason = r.Reason,
        DueAt = r.DueAt,
        IssuedDescription = r.IssuedDescription,
        IssuedAt = r.IssuedAt,
        CreatedAt = r.CreatedAt,
        UpdatedAt = r.UpdatedAt,
        Version = r.Version,
    };

    public static ReferralFraudDecision Copy(this ReferralFraudDecision d) => new()
    {
        Id = d.Id,
        FriendCustomerId = d.FriendCustomerId,
        AdvocateCustomerId = d.AdvocateCustomerId,
        Code = d.Code,
        OrderId = d.OrderId,
        Rule = d.Rule,
        Reason = d.Reason,
        DecidedAt = d.DecidedAt,
    };

    public static ShareEvent Copy(this ShareEvent s) => new()
    {
        Id = s.Id,
        CustomerId = s.CustomerId,
        Network = s.Network,
        Kind = s.Kind,
        Subject = s.Subject,
        At = s.At,
    };

    public static ReviewRequest Copy(this ReviewRequest r) => new()
    {
        CustomerId = r.CustomerId,
        OrderId = r.OrderId,
        Products = r.Products.Select(p => new ReviewRequestProduct { Sku = p.Sku, Name = p.Name, Url = p.Url, Tags = p.Tags }).ToList(),
        DeliveredAt = r.DeliveredAt,
        PromptDueAt = r.PromptDueAt,
        ReminderCount = r.ReminderCount,
        CreatedAt = r.CreatedAt,
    };

    public static ProductReview Copy(this ProductReview r) => new()
    {
        CustomerId = r.CustomerId,
        Sku = r.Sku,
        OrderId = r.OrderId,
        Rating = r.Rating,
        ReviewedAt = r.ReviewedAt,
    };

    public static CustomerFingerprint Copy(this CustomerFingerprint f) => new()
    {
        Kind = f.Kind,
        Value = f.Value,
        CustomerId = f.CustomerId,
        SeenAt = f.SeenAt,
    };
}
