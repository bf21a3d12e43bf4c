namespace Loyalty.Stores;

// Records of the referral and review programme. Plain classes with settable properties and obvious keys, so a
// durable store (Loyalty.EntityFrameworkCore) maps them without adapters. Every interface is small and async with a
// CancellationToken (the ASP.NET Core Identity store style); a store implements the ones it can.

/// <summary>A customer's referral code. Key: <see cref="Code"/> (upper-case, unique).</summary>
public sealed class ReferralCode
{
    /// <summary>A copy of this record (every member is a value or a string), so a store never hands out its own instance.</summary>
    public ReferralCode Copy() => (ReferralCode)MemberwiseClone();

    /// <summary>The code, upper-case; unique across all customers.</summary>
    public required string Code { get; set; }

    /// <summary>The advocate who owns it.</summary>
    public required string CustomerId { get; set; }

    /// <summary>True for a code the customer or the shop chose; false for a generated one (at most one per customer).</summary>
    public bool IsVanity { get; set; }

    /// <summary>A disabled code is no longer attributed (e.g. after abuse).</summary>
    public bool Disabled { get; set; }

    /// <summary>Created.</summary>
    public DateTimeOffset CreatedAt { get; set; }
}

/// <summary>How adding a referral code ended.</summary>
public enum ReferralCodeAddResult
{
    /// <summary>The code was stored.</summary>
    Added,
    /// <summary>Another customer (or this one) has this code already; nothing was stored.</summary>
    CodeTaken,
    /// <summary>The code is a generated one and the customer has a generated code already; nothing was stored.</summary>
    CustomerHasGeneratedCode,
}

/// <summary>Referral codes.</summary>
public interface IReferralCodeStore
{
    /// <summary>
    /// Stores <paramref name="code"/> unless its code exists (unique key) or, for a generated code, the customer has
    /// one already (unique per customer among generated codes). Atomic: safe when several processes race.
    /// </summary>
    Task<ReferralCodeAddResult> TryAddAsync(ReferralCode code, CancellationToken cancellationToken);

    /// <summary>The code (already normalised to upper-case), or null.</summary>
    Task<ReferralCode?> FindByCodeAsync(string code, CancellationToken cancellationToken);

    /// <summary>The customer's codes, oldest first.</summary>
    Task<IReadOnlyList<ReferralCode>> GetByCustomerAsync(string customerId, CancellationToken cancellationToken);
}

/// <summary>A visit of the referral landing page with a code. Key: <see cref="Id"/>.</summary>
public sealed class ReferralVisit
{
    /// <summary>A copy of this record (every member is a value or a string), so a store never hands out its own instance.</summary>
    public ReferralVisit Copy() => (ReferralVisit)MemberwiseClone();

    /// <summary>Row id.</summary>
    public Guid Id { get; set; }

    /// <summary>The code the visitor came with.</summary>
    public required string Code { get; set; }

    /// <summary>The advocate who owns the code.</summary>
    public required string AdvocateCustomerId { get; set; }

    /// <summary>The shop's opaque visitor id (attribution cookie), if any.</summary>
    public string? VisitorId { get; set; }

    /// <summary>A keyed hash of the visitor's IP address (never the address itself), if any.</summary>
    public string? IpHash { get; set; }

    /// <summary>The network the visitor came from (<c>utm_source</c>: <c>line</c>, <c>x</c> ...), or null when unknown.</summary>
    public string? Network { get; set; }

    /// <summary>When.</summary>
    public DateTimeOffset VisitedAt { get; set; }
}

/// <summary>Counts for the funnel, filtered by advocate and time.</summary>
public sealed record ReferralFunnelFilter
{
    /// <summary>Only this advocate's; null for every advocate.</summary>
    public string? AdvocateCustomerId { get; init; }

    /// <summary>From this time on (inclusive); null for all time.</summary>
    public DateTimeOffset? Since { get; init; }

    /// <summary>Before this time (exclusive); null for no end.</summary>
    public DateTimeOffset? Until { get; init; }
}

/// <summary>Landing visits.</summary>
public interface IReferralVisitStore
{
    /// <summary>Records a visit.</summary>
    Task AddAsync(ReferralVisit visit, CancellationToken cancellationToken);

    /// <summary>The visits of <paramref name="visitorId"/> at or after <paramref name="since"/>, newest first.</summary>
    Task<IReadOnlyList<ReferralVisit>> GetByVisitorAsync(string visitorId, DateTimeOffset since, CancellationToken cancellationToken);

    /// <summary>Visits matching <paramref name="filter"/>, counted by network (an unknown network counts under <c>""</c>).</summary>
    Task<IReadOnlyDictionary<string, int>> CountByNetworkAsync(ReferralFunnelFilter filter, CancellationToken cancellationToken);
}

/// <summary>
/// A friend's qualifying order attributed to an advocate. Key: <see cref="FriendCustomerId"/>: a friend is attributed
/// at most once in their life.
/// </summary>
public sealed class ReferralAttribution
{
    /// <summary>A copy of this record (every member is a value or a string), so a store never hands out its own instance.</summary>
    public ReferralAttribution Copy() => (ReferralAttribution)MemberwiseClone();

    /// <summary>The friend (the new customer); unique.</summary>
    public required string FriendCustomerId { get; set; }

    /// <summary>The advocate.</summary>
    public required string AdvocateCustomerId { get; set; }

    /// <summary>The code that won the attribution.</summary>
    public required string Code { get; set; }

    /// <summary>The friend's qualifying order.</summary>
    public required string OrderId { get; set; }

    /// <summary>When the order was placed.</summary>
    public DateTimeOffset OrderPlacedAt { get; set; }

    /// <summary>The touch that won: <c>visit</c> (a landing visit) or <c>code</c> (entered at checkout).</summary>
    public required string Touch { get; set; }

    /// <summary>The network of the winning visit, if known.</summary>
    public string? Network { get; set; }

    /// <summary>The IP hash of the winning visit, if known (per-IP caps count on it).</summary>
    public string? IpHash { get; set; }

    /// <summary>True when the order was refunded (inside or after the return window).</summary>
    public bool Refunded { get; set; }

    /// <summary>When the attribution was made.</summary>
    public DateTimeOffset AttributedAt { get; set; }
}

/// <summary>Attributions.</summary>
public interface IReferralAttributionStore
{
    /// <summary>Stores the attribution unless the friend has one (unique friend); false then. Atomic.</summary>
    Task<bool> TryAddAsync(ReferralAttribution attribution, CancellationToken cancellationToken);

    /// <summary>The friend's attribution, or null.</summary>
    Task<ReferralAttribution?> FindByFriendAsync(string friendCustomerId, CancellationToken cancellationToken);

    /// <summary>Writes a changed attribution (its <see cref="ReferralAttribution.Refunded"/> flag).</summary>
    Task UpdateAsync(ReferralAttribution attribution, CancellationToken cancellationToken);

    /// <summary>How many attributions the advocate has at or after <paramref name="since"/> (per-advocate caps).</summary>
    Task<int> CountByAdvocateAsync(string advocateCustomerId, DateTimeOffset since, CancellationToken cancellationToken);

    /// <summary>How many attributions came from visits with this IP hash at or after <paramref name="since"/> (per-IP caps).</summary>
    Task<int> CountByIpHashAsync(string ipHash, DateTimeOffset since, CancellationToken cancellationToken);

    /// <summary>Attributions matching <paramref name="filter"/> (by order time), counted by network.</summary>
    Task<IReadOnlyDictionary<string, int>> CountByNetworkAsync(ReferralFunnelFilter filter, CancellationToken cancellationToken);
}

/// <summary>Who a referral reward is for.</summary>
public enum ReferralRewardKind
{
    /// <summary>The new customer, at the qualifying order.</summary>
    Friend,
    /// <summary>The advocate, after the order survives the return window.</summary>
    Advocate,
}

/// <summary>The life of a reward. Terminal: Issued (until a claw-back), Cancelled, ClawedBack, Blocked.</summary>
public enum ReferralRewardState
{
    /// <summary>Waiting (for the return window, or for the issuing job).</summary>
    Pending,
    /// <summary>The host's issuer accepted it.</summary>
    Issued,
    /// <summary>Not issued: the order was refunded before it was due. <see cref="ReferralReward.Reason"/> says why.</summary>
    Cancelled,
    /// <summary>Issued, then revoked through the host because the order was refunded.</summary>
    ClawedBack,
    /// <summary>Not issued because a fraud rule blocked it. <see cref="ReferralReward.Reason"/> says which.</summary>
    Blocked,
}

/// <summary>A reward of the programme. Key: <see cref="Id"/>; <see cref="IdempotencyKey"/> unique.</summary>
public sealed class ReferralReward
{
    /// <summary>A copy of this record (every member is a value or a string), so a store never hands out its own instance.</summary>
    public ReferralReward Copy() => (ReferralReward)MemberwiseClone();

    /// <summary>Row id.</summary>
    public Guid Id { get; set; }

    /// <summary>
    /// <c>referral:{kind}:{friend}</c>, unique: the same reward is never stored twice, and the host's issuer receives
    /// this key so a retried job never pays twice.
    /// </summary>
    public required string IdempotencyKey { get; set; }

    /// <summary>Friend or advocate.</summary>
    public ReferralRewardKind Kind { get; set; }

    /// <summary>Who receives it.</summary>
    public required string CustomerId { get; set; }

    /// <summary>The advocate of the referral.</summary>
    public required string AdvocateCustomerId { get; set; }

    /// <summary>The friend of the referral.</summary>
    public required string FriendCustomerId { get; set; }

    /// <summary>The friend's qualifying order.</summary>
    public required string OrderId { get; set; }

    /// <summary>The network of the referral, if known (funnel counts).</summary>
    public string? Network { get; set; }

    /// <summary>ISO 4217 currency of the qualifying order (the issuer's suggested amount is in it).</summary>
    public string? Currency { get; set; }

    /// <summary>Where it is.</summary>
    public ReferralRewardState State { get; set; }

    /// <summary>Why it was cancelled, clawed back or blocked.</summary>
    public string? Reason { get; set; }

    /// <summary>When it may be issued (the end of the return window for an advocate reward).</summary>
    public DateTimeOffset DueAt { get; set; }

    /// <summary>What the host issued (a coupon code, a ledger id), as its issuer described it.</summary>
    public string? IssuedDescription { get; set; }

    /// <summary>When it was issued.</summary>
    public DateTimeOffset? IssuedAt { get; set; }

    /// <summary>Created.</summary>
    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>Last changed.</summary>
    public DateTimeOffset UpdatedAt { get; set; }

    /// <summary>Optimistic concurrency token: every change increments it.</summary>
    public int Version { get; set; }
}

/// <summary>Rewards.</summary>
public interface IReferralRewardStore
{
    /// <summary>Stores the reward unless its idempotency key exists; false then. Atomic.</summary>
    Task<bool> TryAddAsync(ReferralReward reward, CancellationToken cancellationToken);

    /// <summary>The reward with this idempotency key, or null.</summary>
    Task<ReferralReward?> FindByKeyAsync(string idempotencyKey, CancellationToken cancellationToken);

    /// <summary>Every reward of the friend's referral (friend's and advocate's).</summary>
    Task<IReadOnlyList<ReferralReward>> GetByFriendAsync(string friendCustomerId, CancellationToken cancellationToken);

    /// <summary>Pending rewards whose <see cref="ReferralReward.DueAt"/> has come, oldest first; optionally only one recipient's.</summary>
    Task<IReadOnlyList<ReferralReward>> GetDueAsync(DateTimeOffset now, string? customerId, int maxCount, CancellationToken cancellationToken);

    /// <summary>Writes <paramref name="reward"/> only if the stored version is still <paramref name="expectedVersion"/>; increments it. False when another worker moved it on.</summary>
    Task<bool> TryUpdateAsync(ReferralReward reward, int expectedVersion, CancellationToken cancellationToken);

    /// <summary>Rewards issued to advocates matching <paramref name="filter"/> (by issue time), counted by network.</summary>
    Task<IReadOnlyDictionary<string, int>> CountIssuedByNetworkAsync(ReferralFunnelFilter filter, CancellationToken cancellationToken);
}

/// <summary>A referral a fraud rule blocked, with the rule and the reason. Key: <see cref="Id"/>.</summary>
public sealed class ReferralFraudDecision
{
    /// <summary>A copy of this record (every member is a value or a string), so a store never hands out its own instance.</summary>
    public ReferralFraudDecision Copy() => (ReferralFraudDecision)MemberwiseClone();

    /// <summary>Row id.</summary>
    public Guid Id { get; set; }

    /// <summary>The friend whose order was not attributed.</summary>
    public required string FriendCustomerId { get; set; }

    /// <summary>The advocate the order would have been attributed to.</summary>
    public required string AdvocateCustomerId { get; set; }

    /// <summary>The code used.</summary>
    public required string Code { get; set; }

    /// <summary>The order.</summary>
    public required string OrderId { get; set; }

    /// <summary>The rule, e.g. <c>self-referral</c>, <c>not-new-customer</c>, <c>advocate-cap</c>, <c>ip-cap</c>.</summary>
    public required string Rule { get; set; }

    /// <summary>What exactly matched, for the person reviewing it (never the raw e-mail or fingerprint).</summary>
    public required string Reason { get; set; }

    /// <summary>When.</summary>
    public DateTimeOffset DecidedAt { get; set; }
}

/// <summary>Fraud decisions.</summary>
public interface IReferralFraudStore
{
    /// <summary>Records a decision.</summary>
    Task AddAsync(ReferralFraudDecision decision, CancellationToken cancellationToken);

    /// <summary>The decisions about a friend, oldest first.</summary>
    Task<IReadOnlyList<ReferralFraudDecision>> GetByFriendAsync(string friendCustomerId, CancellationToken cancellationToken);
}

/// <summary>What happened with a share link, for the funnel.</summary>
public enum ShareEventKind
{
    /// <summary>The customer opened a share link (clicked "share on LINE").</summary>
    Opened,
}

/// <summary>A share-link event. Key: <see cref="Id"/>.</summary>
public sealed class ShareEvent
{
    /// <summary>A copy of this record (every member is a value or a string), so a store never hands out its own instance.</summary>
    public ShareEvent Copy() => (ShareEvent)MemberwiseClone();

    /// <summary>Row id.</summary>
    public Guid Id { get; set; }

    /// <summary>The customer who shared.</summary>
    public required string CustomerId { get; set; }

    /// <summary>The network's id (<c>line</c>, <c>x</c>, <c>email</c> ...).</summary>
    public required string Network { get; set; }

    /// <summary>What happened.</summary>
    public ShareEventKind Kind { get; set; }

    /// <summary>What was shared: <c>referral</c> or <c>review</c>.</summary>
    public string Subject { get; set; } = "referral";

    /// <summary>When.</summary>
    public DateTimeOffset At { get; set; }
}

/// <summary>Share-link events.</summary>
public interface IShareEventStore
{
    /// <summary>Records an event.</summary>
    Task AddAsync(ShareEvent shareEvent, CancellationToken cancellationToken);

    /// <summary>Events of <paramref name="kind"/> matching <paramref name="filter"/> (the advocate is the sharing customer), counted by network.</summary>
    Task<IReadOnlyDictionary<string, int>> CountByNetworkAsync(ShareEventKind kind, ReferralFunnelFilter filter, CancellationToken cancellationToken);
}

/// <summary>A product of an order that a review prompt asks about.</summary>
public sealed class ReviewRequestProduct
{
    /// <summary>A copy of this product (every member is a string).</summary>
    public ReviewRequestProduct Copy() => (ReviewRequestProduct)MemberwiseClone();

    /// <summary>The product's sku.</summary>
    public required string Sku { get; set; }

    /// <summary>Its display name.</summary>
    public required string Name { get; set; }

    /// <summary>Its page, if the shop gave one.</summary>
    public string? Url { get; set; }

    /// <summary>Its tags (space-separated), which choose the wait before the prompt.</summary>
    public string Tags { get; set; } = "";
}

/// <summary>A review request for one order. Key: (<see cref="CustomerId"/>, <see cref="OrderId"/>).</summary>
public sealed class ReviewRequest
{
    /// <summary>A copy of this record with its own product list (products copied too), so a store never hands out its own instance.</summary>
    public ReviewRequest Copy()
    {
        var copy = (ReviewRequest)MemberwiseClone();
        copy.Products = Products.Select(p => p.Copy()).ToList();
        return copy;
    }

    /// <summary>The customer.</summary>
    public required string CustomerId { get; set; }

    /// <summary>The order.</summary>
    public required string OrderId { get; set; }

    /// <summary>The order's products (the prompt asks about those not yet reviewed).</summary>
    public List<ReviewRequestProduct> Products { get; set; } = [];

    /// <summary>When the order was delivered, once it was.</summary>
    public DateTimeOffset? DeliveredAt { get; set; }

    /// <summary>When the prompt falls due.</summary>
    public DateTimeOffset? PromptDueAt { get; set; }

    /// <summary>Reminders sent (at most one).</summary>
    public int ReminderCount { get; set; }

    /// <summary>Created.</summary>
    public DateTimeOffset CreatedAt { get; set; }
}

/// <summary>A product a customer reviewed. Key: (<see cref="CustomerId"/>, <see cref="Sku"/>).</summary>
public sealed class ProductReview
{
    /// <summary>A copy of this record (every member is a value or a string), so a store never hands out its own instance.</summary>
    public ProductReview Copy() => (ProductReview)MemberwiseClone();

    /// <summary>The customer.</summary>
    public required string CustomerId { get; set; }

    /// <summary>The product.</summary>
    public required string Sku { get; set; }

    /// <summary>The order it came with, if known.</summary>
    public string? OrderId { get; set; }

    /// <summary>Stars, 1 to 5.</summary>
    public int Rating { get; set; }

    /// <summary>When.</summary>
    public DateTimeOffset ReviewedAt { get; set; }
}

/// <summary>Review requests and the reviews that answer them.</summary>
public interface IReviewStore
{
    /// <summary>Inserts the request, or replaces the stored one with the same key.</summary>
    Task UpsertRequestAsync(ReviewRequest request, CancellationToken cancellationToken);

    /// <summary>The request for the order, or null.</summary>
    Task<ReviewRequest?> FindRequestAsync(string customerId, string orderId, CancellationToken cancellationToken);

    /// <summary>Records a review; a second review of the same product by the same customer replaces the first.</summary>
    Task UpsertReviewAsync(ProductReview review, CancellationToken cancellationToken);

    /// <summary>The skus the customer has reviewed.</summary>
    Task<IReadOnlyCollection<string>> GetReviewedSkusAsync(string customerId, CancellationToken cancellationToken);
}

/// <summary>
/// A fingerprint (a hash the shop computed) of a shipping address or payment instrument a customer used. Key:
/// (<see cref="Kind"/>, <see cref="Value"/>, <see cref="CustomerId"/>). Self-referral rules look customers up by it.
/// </summary>
public sealed class CustomerFingerprint
{
    /// <summary>A copy of this record (every member is a value or a string), so a store never hands out its own instance.</summary>
    public CustomerFingerprint Copy() => (CustomerFingerprint)MemberwiseClone();

    /// <summary><c>shipping</c> or <c>payment</c>.</summary>
    public required string Kind { get; set; }

    /// <summary>The shop's hash.</summary>
    public required string Value { get; set; }

    /// <summary>The customer who used it.</summary>
    public required string CustomerId { get; set; }

    /// <summary>First seen.</summary>
    public DateTimeOffset SeenAt { get; set; }
}

/// <summary>Fingerprints of shipping addresses and payment instruments.</summary>
public interface ICustomerFingerprintStore
{
    /// <summary>Records the fingerprint; recording one that exists changes nothing.</summary>
    Task AddAsync(CustomerFingerprint fingerprint, CancellationToken cancellationToken);

    /// <summary>The customers who used this fingerprint.</summary>
    Task<IReadOnlyCollection<string>> FindCustomersAsync(string kind, string value, CancellationToken cancellationToken);
}
