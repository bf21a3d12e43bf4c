using System.Globalization;
using Loyalty.AspNetCore.Pages;
using Loyalty.AspNetCore.Referrals;
using Loyalty.Referrals.Reviews;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Loyalty.AspNetCore.Reviews;

/// <summary>
/// The landing of the e-mail's star links: verifies the token and hands order, product and rating to the shop's
/// review page (<see cref="LoyaltyEndpointOptions.ReviewPageTemplate"/>), which completes the review. A token that
/// is not valid, for whatever reason, is the same 404 page.
/// </summary>
internal static class ReviewLandingEndpoints
{
    public static void Map(IEndpointRouteBuilder endpoints, IEnumerable<string> paths, LoyaltyEndpointOptions options)
    {
        foreach (var path in paths.Select(p => "/" + p.Trim('/')).Distinct(StringComparer.OrdinalIgnoreCase))
        {
            endpoints.MapGet(path + "/{token}", (string token, HttpContext context, ReviewLinkVerifier verifier) =>
            {
                ReferralEndpoints.NoStore(context.Response);
                var claims = verifier.Verify(token);
                return claims is null ? LoyaltyPage.NotFound() : Results.Redirect(ReviewPageUrl(options.ReviewPageTemplate, claims, token));
            });
        }
    }

    public static string ReviewPageUrl(string template, ReviewLinkClaims claims, string token) => template
        .Replace("{order}", Uri.EscapeDataString(claims.OrderId), StringComparison.Ordinal)
        .Replace("{sku}", Uri.EscapeDataString(claims.Sku), StringComparison.Ordinal)
        .Replace("{rating}", claims.Rating.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal)
        .Replace("{customer}", Uri.EscapeDataString(claims.CustomerId), StringComparison.Ordinal)
        .Replace("{token}", Uri.EscapeDataString(token), StringComparison.Ordinal);
}
