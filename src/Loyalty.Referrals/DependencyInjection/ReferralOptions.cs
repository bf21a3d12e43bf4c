using System.ComponentModel.DataAnnotations;

namespace Loyalty.Referrals;

/// <summary>Which touch wins when a friend came through several codes.</summary>
public enum AttributionModel
{
    /// <summary>The most recent visit or explicit code wins. The default.</summary>
    LastTouch,
    /// <summary>The earliest visit inside the window wins.</summary>
    FirstTouch,
}

/// <summary>The referral and review programme's settings. Bound from <c>Loyalty:Referrals</c>; validated at start-up.</summary>
public sealed class ReferralOptions
{
    /// <summary>Length of generated codes. Default 7 (31^7 ≈ 27 billion codes).</summary>
    [Range(5, 16)]
    public int CodeLength { get; set; } = 7;

    /// <summary>Path under the shop's base URL of the referral landing page; the code follows it. Default <c>r</c> (<c>/r/{code}</c>).</summary>
    [Required(AllowEmptyStrings = false)]
    [RegularExpression("^[A-Za-z0-9_/-]+$")]
    public string LandingPath { get; set; } = "r";

    /// <summary>How long after a visit the friend's first order is still attributed. Default 30 days.</summary>
    [Range(typeof(TimeSpan), "00:01:00", "365.00:00:00")]
    public TimeSpan AttributionWindow { get; set; } = TimeSpan.FromDays(30);

    /// <summary>Which touch wins. Default <see cref="AttributionModel.LastTouch"/>.</summary>
    public AttributionModel Attribution { get; set; } = AttributionModel.LastTouch;

    /// <summary>How long the friend's order must go unrefunded before the advocate is rewarded. Default 14 days.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "365.00:00:00")]
    public TimeSpan ReturnWindow { get; set; } = TimeSpan.FromDays(14);

    /// <summary>A key for hashing visitor IP addresses (base64 or any text); without one IPs are hashed unkeyed.</summary>
    public string? IpHashKey { get; set; }

    /// <summary>The rewards.</summary>
    [Required]
    public ReferralRewardOptions Rewards { get; set; } = new();

    /// <summary>The fraud rules.</summary>
    [Required]
    public ReferralFraudOptions Fraud { get; set; } = new();

    /// <summary>Share links and their texts.</summary>
    [Required]
    public ShareOptions Sharing { get; set; } = new();

    /// <summary>Review prompts and one-click stars.</summary>
    [Required]
    public ReviewOptions Reviews { get; set; } = new();
}

/// <summary>What the host's issuer is asked for. The library never invents money: amounts are suggestions.</summary>
public sealed class ReferralRewardOptions
{
    /// <summary>Reward the friend at the qualifying order. Default true.</summary>
    public bool FriendRewardEnabled { get; set; } = true;

    /// <summary>The credit kind passed to the issuer for the friend. Default <c>referral-friend</c>.</summary>
    [Required(AllowEmptyStrings = false)]
    public string FriendRewardKind { get; set; } = "referral-friend";

    /// <summary>Reward the advocate after the return window. Default true.</summary>
    public bool AdvocateRewardEnabled { get; set; } = true;

    /// <summary>The credit kind passed to the issuer for the advocate. Default <c>referral-advocate</c>.</summary>
    [Required(AllowEmptyStrings = false)]
    public string AdvocateRewardKind { get; set; } = "referral-advocate";

    /// <summary>An amount suggested to the issuer for the friend, if any.</summary>
    [Range(typeof(decimal), "0", "1000000")]
    public decimal? FriendAmount { get; set; }

    /// <summary>An amount suggested to the issuer for the advocate, if any.</summary>
    [Range(typeof(decimal), "0", "1000000")]
    public decimal? AdvocateAmount { get; set; }

    /// <summary>ISO 4217 currency of the suggested amounts; defaults to the order's currency.</summary>
    public string? Currency { get; set; }

    /// <summary>
    /// A credit kind for any honest review, or null for none. Default null. When set, every customer's first review
    /// of each product is paid through the host's <see cref="Loyalty.Email.Flows.ICreditIssuer"/> with this kind,
    /// whatever its rating (marketplaces forbid buying reviews contingent on positive ratings): the reward never sees
    /// the rating. It runs as the <c>review-reward</c> flow, once per customer and product, and the issuer receives
    /// a stable idempotency key, so a retried job never pays twice. The host decides the amount by this kind.
    /// </summary>
    public string? ReviewRewardKind { get; set; }
}

/// <summary>Fraud rules; each can be switched off, and each records its reason when it blocks.</summary>
public sealed class ReferralFraudOptions
{
    /// <summary>Block the same customer id, the same normalised e-mail, or the same shipping or payment fingerprint. Default true.</summary>
    public bool BlockSelfReferral { get; set; } = true;

    /// <summary>Block a friend who had ordered before (only new customers count). Default true.</summary>
    public bool RequireNewCustomer { get; set; } = true;

    /// <summary>At most this many attributions per advocate per <see cref="AdvocatePeriod"/>; 0 for no cap. Default 20.</summary>
    [Range(0, 1_000_000)]
    public int AdvocateCap { get; set; } = 20;

    /// <summary>The period of <see cref="AdvocateCap"/>. Default 30 days.</summary>
    [Range(typeof(TimeSpan), "00:01:00", "3650.00:00:00")]
    public TimeSpan AdvocatePeriod { get; set; } = TimeSpan.FromDays(30);

    /// <summary>At most this many attributions from one visitor IP per <see cref="IpPeriod"/>; 0 for no cap. Default 3.</summary>
    [Range(0, 1_000_000)]
    public int IpCap { get; set; } = 3;

    /// <summary>The period of <see cref="IpCap"/>. Default 1 day.</summary>
    [Range(typeof(TimeSpan), "00:01:00", "3650.00:00:00")]
    public TimeSpan IpPeriod { get; set; } = TimeSpan.FromDays(1);
}

/// <summary>Share links.</summary>
public sealed class ShareOptions
{
    /// <summary>The <c>utm_campaign</c> of referral links. Default <c>referral</c>.</summary>
    [Required(AllowEmptyStrings = false)]
    public string Campaign { get; set; } = "referral";

    /// <summary>The <c>utm_campaign</c> of review links. Default <c>review-share</c>.</summary>
    [Required(AllowEmptyStrings = false)]
    public string ReviewCampaign { get; set; } = "review-share";

    /// <summary>
    /// Plain texts per locale that win over the Liquid share snippets (<c>share-referral</c>, <c>share-review</c>
    /// templates, shipped for en, zh-TW, zh-CN and th and overridden in the templates folder like any template) for
    /// customers of that locale (looked up zh-TW → zh). Prefer the snippets; these are for a quick change in
    /// configuration.
    /// </summary>
    public IDictionary<string, ShareTexts> Texts { get; } = new Dictionary<string, ShareTexts>(StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// Whether the template variables <c>referral.share.{network}</c> are tracked links
    /// (<c>{Shop.BaseUrl}/{OpenPath}/{network}/{code}</c>) that count a share-link open for the advocate and network
    /// and then redirect to the network's share URL. Needs the endpoint that <c>MapLoyalty()</c> (Loyalty.AspNetCore)
    /// maps. Default true; false gives the networks' share URLs directly (opens are then not counted).
    /// </summary>
    public bool TrackOpens { get; set; } = true;

    /// <summary>
    /// Path under the shop's base URL of the tracked share-link endpoint; network and code follow it. Default
    /// <c>loyalty/s</c> (<c>MapLoyalty()</c> maps <c>{prefix}/s</c> and, when different, this path).
    /// </summary>
    [Required(AllowEmptyStrings = false)]
    [RegularExpression("^[A-Za-z0-9_/-]+$")]
    public string OpenPath { get; set; } = "loyalty/s";

    /// <summary>Pixels per QR module of the WeChat QR code. Default 8.</summary>
    [Range(1, 64)]
    public int QrPixelsPerModule { get; set; } = 8;
}

/// <summary>
/// Plain words of share links in one locale, configured to win over the Liquid share snippets. <c>{shop}</c> and
/// <c>{product}</c> are replaced; anything else is left as it is.
/// </summary>
public sealed class ShareTexts
{
    /// <summary>The text of a referral share (e.g. "I love {shop} — here's a gift for your first order").</summary>
    public string? Referral { get; set; }

    /// <summary>The text of a review share (e.g. "I just reviewed {product} at {shop}").</summary>
    public string? Review { get; set; }

    /// <summary>The e-mail subject of a referral share.</summary>
    public string? EmailSubject { get; set; }
}

/// <summary>Review prompts.</summary>
public sealed class ReviewOptions
{
    /// <summary>Send review prompts. Default true.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Wait after delivery before asking, unless a product tag says otherwise. Default 7 days.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "365.00:00:00")]
    public TimeSpan DefaultDelay { get; set; } = TimeSpan.FromDays(7);

    /// <summary>Waits per product tag (category), e.g. <c>skincare</c> → 21 days; an order waits for its longest.</summary>
    public IDictionary<string, TimeSpan> DelayByTag { get; } = new Dictionary<string, TimeSpan>(StringComparer.OrdinalIgnoreCase);

    /// <summary>Wait after the prompt before the one reminder. Default 5 days.</summary>
    [Range(typeof(TimeSpan), "1.00:00:00", "365.00:00:00")]
    public TimeSpan ReminderAfter { get; set; } = TimeSpan.FromDays(5);

    /// <summary>Send the one reminder. Default true.</summary>
    public bool SendReminder { get; set; } = true;

    /// <summary>How long star links work. Default 60 days.</summary>
    [Range(typeof(TimeSpan), "1.00:00:00", "400.00:00:00")]
    public TimeSpan StarLinkLifetime { get; set; } = TimeSpan.FromDays(60);

    /// <summary>Path under the shop's base URL of the review landing; the token follows it. Default <c>loyalty/review</c>.</summary>
    [Required(AllowEmptyStrings = false)]
    public string LandingPath { get; set; } = "loyalty/review";

    /// <summary>The lowest rating after which the thank-you offers share links. Default 4.</summary>
    [Range(1, 5)]
    public int ShareMinimumRating { get; set; } = 4;
}
