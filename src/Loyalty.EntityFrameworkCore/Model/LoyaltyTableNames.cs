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

    /// <summary>Referral codes.</summary>
    public const string ReferralCodes = "referral_codes";

    /// <summary>Visits of the referral landing page.</summary>
    public const string ReferralVisits = "referral_visits";

    /// <summary>Friends' qualifying orders attributed to advocates.</summary>
    public const string ReferralAttributions = "referral_attributions";

    /// <summary>Rewards of the referral programme.</summary>
    public const string ReferralRewards = "referral_rewards";

    /// <summary>Referrals a fraud rule blocked.</summary>
    public const string ReferralFraudDecisions = "referral_fraud_decisions";

    /// <summary>Share-link events.</summary>
    public const string ShareEvents = "share_events";

    /// <summary>Review requests, one per order.</summary>
    public const string ReviewRequests = "review_requests";

    /// <summary>Products customers reviewed.</summary>
    public const string ProductReviews = "product_reviews";

    /// <summary>Fingerprints of customers' shipping addresses and payment instruments.</summary>
    public const string CustomerFingerprints = "customer_fingerprints";
}
