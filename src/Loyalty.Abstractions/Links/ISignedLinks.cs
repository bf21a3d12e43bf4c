namespace Loyalty.Links;

/// <summary>What a signed link is for; a token for one purpose is useless for another.</summary>
public enum LinkPurpose : byte
{
    /// <summary>One-click unsubscribe and preferences.</summary>
    Unsubscribe = 1,
    /// <summary>A star rating link in a review prompt.</summary>
    Review = 2,
    /// <summary>A share link.</summary>
    Share = 3,
    /// <summary>A tracked click.</summary>
    Click = 4,
}

/// <summary>A verified token's content.</summary>
/// <param name="Purpose">What it is for.</param>
/// <param name="Subject">What it is about (a customer id, or "customer|order|sku|rating").</param>
/// <param name="ExpiresAt">When it stops working.</param>
public sealed record SignedLink(LinkPurpose Purpose, string Subject, DateTimeOffset ExpiresAt);

/// <summary>
/// Short URL-safe tokens bound to a purpose, a subject and an expiry. Shared by e-mail (unsubscribe), referrals
/// (review stars, shares) and the ASP.NET Core endpoints that verify them.
/// </summary>
public interface ISignedLinks
{
    /// <summary>Issues a token for <paramref name="purpose"/> and <paramref name="subject"/>, valid for <paramref name="lifetime"/>.</summary>
    string Issue(LinkPurpose purpose, string subject, TimeSpan lifetime);

    /// <summary>
    /// The token's content when it is genuine, of <paramref name="purpose"/> and not expired; otherwise null —
    /// never saying which check failed.
    /// </summary>
    SignedLink? Verify(string? token, LinkPurpose purpose);
}
