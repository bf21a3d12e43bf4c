using Loyalty.AspNetCore.Pages;
using Loyalty.Referrals.Sharing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Loyalty.AspNetCore.Referrals;

/// <summary>
/// The tracked share link <c>{path}/{network}/{code}</c> (<see cref="ShareLinkBuilder.TrackedForReferral"/>): counts a
/// share-link open for the code's advocate and the network, then redirects (302) to the network's share URL the
/// builder makes. An unknown network or code is a 404 with no Location: the target is never taken from the request.
/// </summary>
internal static class ShareOpenEndpoints
{
    public static void Map(IEndpointRouteBuilder endpoints, IEnumerable<string> paths)
    {
        foreach (var path in paths.Select(p => "/" + p.Trim('/')).Distinct(StringComparer.OrdinalIgnoreCase))
        {
            endpoints.MapGet(path + "/{network}/{code}", async (string network, string code, HttpContext context, ShareOpens opens) =>
            {
                ReferralEndpoints.NoStore(context.Response);
                if (!ReferralAttributionCookie.IsPlausibleCode(code))
                {
                    return LoyaltyPage.NotFound();
                }

                var target = await opens.OpenAsync(network, code, context.RequestAborted).ConfigureAwait(false);
                return target is null ? LoyaltyPage.NotFound() : Results.Redirect(target.AbsoluteUri);
            });
        }
    }
}
