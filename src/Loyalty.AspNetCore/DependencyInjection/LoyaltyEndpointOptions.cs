namespace Loyalty.AspNetCore;

/// <summary>Options of the endpoints <c>MapLoyalty</c> maps.</summary>
public sealed class LoyaltyEndpointOptions
{
    /// <summary>The prefix of every Loyalty endpoint except the referral landing. Default <c>/loyalty</c>.</summary>
    public string Prefix { get; set; } = "/loyalty";

    /// <summary>Marketing topics the preferences page offers, besides "all marketing".</summary>
    public IList<string> Topics { get; } = [];

    /// <summary>Where the referral landing <c>/r/{code}</c> sends the visitor after recording the visit. Default <c>/</c>.</summary>
    public string ReferralRedirect { get; set; } = "/";

    /// <summary>
    /// The shop's review page the review landing redirects to, with <c>{order}</c>, <c>{sku}</c>, <c>{rating}</c>,
    /// <c>{customer}</c> and <c>{token}</c> replaced by their URL-encoded values. Default
    /// <c>/review?order={order}&amp;sku={sku}&amp;rating={rating}&amp;token={token}</c>.
    /// </summary>
    public string ReviewPageTemplate { get; set; } = "/review?order={order}&sku={sku}&rating={rating}&token={token}";

    /// <summary>How long the referral attribution cookie (<see cref="ReferralAttributionCookie.Name"/>) lives. Default 30 days.</summary>
    public TimeSpan AttributionCookieLifetime { get; set; } = TimeSpan.FromDays(30);
}
