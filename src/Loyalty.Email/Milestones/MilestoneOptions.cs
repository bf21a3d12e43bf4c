namespace Loyalty.Email.Milestones;

/// <summary>Which milestones intake detects. Bound from <c>Loyalty:Email:Milestones</c>.</summary>
public sealed class MilestoneOptions
{
    /// <summary>Detect the first order (<c>first-order</c>). Default true.</summary>
    public bool FirstOrder { get; set; } = true;

    /// <summary>Order counts that are milestones (<c>order-count-5</c> ...). Default 5 and 10.</summary>
    public IList<int> OrderCounts { get; } = [5, 10];

    /// <summary>Lifetime spend thresholds per currency (<c>spend-TWD-10000</c> ...).</summary>
    public IDictionary<string, decimal[]> SpendThresholds { get; } = new Dictionary<string, decimal[]>(StringComparer.Ordinal);

    /// <summary>Publish <c>first-purchase-anniversary</c> a year after the first order. Default true.</summary>
    public bool FirstPurchaseAnniversary { get; set; } = true;
}
