namespace Loyalty.Referrals.Sharing;

/// <summary>What an advocate shares: their landing URL and the values the share-text snippet sees.</summary>
/// <param name="LandingUrl">The advocate's referral landing URL (<c>ReferralCodes.LandingUrl(code)</c>).</param>
public sealed record ReferralShareRequest(Uri LandingUrl)
{
    /// <summary>The advocate's referral code (<c>referral.code</c> in the snippet); needed for tracked links.</summary>
    public string? Code { get; init; }

    /// <summary>The advocate's locale; null for the shop's default.</summary>
    public string? Locale { get; init; }

    /// <summary>The advocate's first name (<c>customer.first_name</c> in the snippet), if known.</summary>
    public string? AdvocateFirstName { get; init; }

    /// <summary>An image to share (Pinterest needs one), if any.</summary>
    public Uri? ImageUrl { get; init; }
}
