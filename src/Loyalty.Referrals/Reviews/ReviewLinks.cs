using Loyalty.Links;
using System.Globalization;
using Loyalty.DependencyInjection;
using Loyalty.Email.Links;
using Microsoft.Extensions.Options;

namespace Loyalty.Referrals.Reviews;

/// <summary>What a verified star link says.</summary>
/// <param name="CustomerId">Who reviews.</param>
/// <param name="OrderId">The order the product came with.</param>
/// <param name="Sku">The product.</param>
/// <param name="Rating">The stars clicked, 1 to 5.</param>
public sealed record ReviewLinkClaims(string CustomerId, string OrderId, string Sku, int Rating);

/// <summary>
/// One-click star links: each a <see cref="SignedLinkTokens"/> token with <see cref="LinkPurpose.Review"/> bound to
/// <c>customer|order|sku|rating</c> (the shared token service, so key rotation works the same as for unsubscribe
/// links). The landing pre-fills the rating; the shop's review form completes it.
/// </summary>
public sealed class ReviewLinks
{
    private readonly SignedLinkTokens _tokens;
    private readonly ReviewOptions _options;
    private readonly LoyaltyShopOptions _shop;

    /// <summary>Created by DI.</summary>
    public ReviewLinks(SignedLinkTokens tokens, IOptions<ReferralOptions> options, IOptions<LoyaltyShopOptions> shop)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(shop);
        _tokens = tokens;
        _options = options.Value.Reviews;
        _shop = shop.Value;
    }

    /// <summary>The signed token of one star rating.</summary>
    public string Token(string customerId, string orderId, string sku, int rating)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(rating, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(rating, 5);
        var subject = string.Join('|', Escape(customerId), Escape(orderId), Escape(sku), rating.ToString(CultureInfo.InvariantCulture));
        return _tokens.Issue(LinkPurpose.Review, subject, _options.StarLinkLifetime);
    }

    /// <summary>The landing URL of one star rating: <c>{Shop.BaseUrl}/loyalty/review/{token}</c>.</summary>
    public Uri Url(string customerId, string orderId, string sku, int rating) =>
        new(_shop.BaseUrl, $"{_options.LandingPath.Trim('/')}/{Token(customerId, orderId, sku, rating)}");

    /// <summary>The five star URLs, 1 star first.</summary>
    public IReadOnlyList<Uri> Stars(string customerId, string orderId, string sku) =>
        Enumerable.Range(1, 5).Select(r => Url(customerId, orderId, sku, r)).ToList();

    /// <summary>
    /// The claims of a genuine, unexpired review token; null for anything else (tampered, expired, another
    /// purpose, malformed) without saying which.
    /// </summary>
    public ReviewLinkClaims? Verify(string? token)
    {
        var link = _tokens.Verify(token, LinkPurpose.Review);
        if (link is null)
        {
            return null;
        }

        var parts = link.Subject.Split('|');
        if (parts.Length != 4 || !int.TryParse(parts[3], NumberStyles.None, CultureInfo.InvariantCulture, out var rating) || rating is < 1 or > 5)
        {
            return null;
        }

        return new ReviewLinkClaims(Unescape(parts[0]), Unescape(parts[1]), Unescape(parts[2]), rating);
    }

    // Ids may contain '|': escaped so the four parts always split back exactly.
    private static string Escape(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return value.Replace("%", "%25", StringComparison.Ordinal).Replace("|", "%7C", StringComparison.Ordinal);
    }

    private static string Unescape(string value) => value.Replace("%7C", "|", StringComparison.Ordinal).Replace("%25", "%", StringComparison.Ordinal);
}

/// <summary>Verifies star-link tokens for the review landing (a thin, separately injectable face of <see cref="ReviewLinks"/>).</summary>
public sealed class ReviewLinkVerifier
{
    private readonly ReviewLinks _links;

    /// <summary>Created by DI.</summary>
    public ReviewLinkVerifier(ReviewLinks links)
    {
        _links = links;
    }

    /// <summary>(customer, order, sku, rating) of a valid token, or null.</summary>
    public ReviewLinkClaims? Verify(string? token) => _links.Verify(token);
}
