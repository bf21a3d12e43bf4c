using Loyalty.AspNetCore.Pages;
using Loyalty.Referrals;
using Loyalty.Referrals.Attribution;
using Loyalty.Referrals.Codes;
using Loyalty.Referrals.Sharing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Loyalty.AspNetCore.Referrals;

/// <summary>
/// The referral landing <c>/r/{code}</c> (at <see cref="ReferralOptions.LandingPath"/>, where the library's landing
/// URLs point), the WeChat QR code of a code's landing URL, and the <c>?ref=CODE</c> recording the middleware uses.
/// </summary>
internal static class ReferralEndpoints
{
    private const int MaxNetworkLength = 40;

    public static void Map(IEndpointRouteBuilder endpoints, string landingPath, LoyaltyEndpointOptions options)
    {
        var landing = "/" + landingPath.Trim('/');
        endpoints.MapGet(landing + "/{code}", async (string code, HttpContext context) =>
        {
            await RecordAsync(context, code, options.AttributionCookieLifetime).ConfigureAwait(false);
            NoStore(context.Response);
            // An unknown code lands on the same page as a known one: nothing tells a prober which codes exist.
            return Results.Redirect(options.ReferralRedirect);
        });
        endpoints.MapGet(landing + "/{code}/wechat-qr.png", (string code, HttpContext context) => QrAsync(code, context, svg: false));
        endpoints.MapGet(landing + "/{code}/wechat-qr.svg", (string code, HttpContext context) => QrAsync(code, context, svg: true));
    }

    /// <summary>
    /// Records a visit with <paramref name="code"/> and writes the attribution cookie (keeping the visitor id the
    /// cookie already had); false, with nothing recorded or written, when the code is unknown.
    /// </summary>
    public static async Task<bool> RecordAsync(HttpContext context, string? code, TimeSpan cookieLifetime)
    {
        if (!ReferralAttributionCookie.IsPlausibleCode(code))
        {
            return false;
        }

        var visits = context.RequestServices.GetRequiredService<ReferralVisits>();
        var visitorId = ReferralAttributionCookie.VisitorIdOrNew(context.Request);
        var network = context.Request.Query["utm_source"].ToString();
        network = network.Length == 0 ? null : network.Length <= MaxNetworkLength ? network : network[..MaxNetworkLength];
        var visit = await visits.RecordVisitAsync(
            new ReferralVisitRequest(code, visitorId, context.Connection.RemoteIpAddress?.ToString(), network),
            context.RequestAborted).ConfigureAwait(false);
        if (visit is null)
        {
            return false;
        }

        ReferralAttributionCookie.Write(context.Response, new AttributionCookieValue(visit.Code, visitorId), cookieLifetime);
        return true;
    }

    private static async Task<IResult> QrAsync(string code, HttpContext context, bool svg)
    {
        var services = context.RequestServices;
        var codes = services.GetRequiredService<ReferralCodes>();
        var found = ReferralAttributionCookie.IsPlausibleCode(code) ? await codes.ResolveAsync(code, context.RequestAborted).ConfigureAwait(false) : null;
        if (found is null)
        {
            return LoyaltyPage.NotFound();
        }

        // The WeChat "share link" is the landing URL with utm_source=wechat: scans are counted as WeChat visits.
        var links = services.GetRequiredService<ShareLinkBuilder>().ForReferral(codes.LandingUrl(found.Code), locale: null);
        var url = links.TryGetValue("wechat", out var wechat) ? wechat.Url : codes.LandingUrl(found.Code);
        context.Response.Headers.CacheControl = "private, max-age=3600";
        context.Response.Headers.XContentTypeOptions = "nosniff";
        return svg
            ? Results.Text(WeChatQrCode.Svg(url), "image/svg+xml; charset=utf-8")
            : Results.Bytes(WeChatQrCode.Png(url), "image/png");
    }

    internal static void NoStore(HttpResponse response)
    {
        response.Headers.CacheControl = "no-store";
        response.Headers["Referrer-Policy"] = "no-referrer";
    }
}
