using Loyalty.AspNetCore.Pages;
using Loyalty.AspNetCore.Referrals;
using Loyalty.Links;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Loyalty.AspNetCore.Clicks;

/// <summary><c>{prefix}/c/{token}</c>: redirects only to the URL a genuine click token carries; anything else is 404 with no Location.</summary>
internal static class TrackedClickEndpoints
{
    public static void Map(IEndpointRouteBuilder group)
    {
        group.MapGet("/c/{token}", (string token, HttpContext context, ISignedLinks links) =>
        {
            ReferralEndpoints.NoStore(context.Response);
            var link = links.Verify(token, LinkPurpose.Click);
            return link is not null && TrackedClickLinks.TryGetTarget(link.Subject, out var target)
                ? Results.Redirect(target)
                : LoyaltyPage.NotFound();
        });
    }
}
