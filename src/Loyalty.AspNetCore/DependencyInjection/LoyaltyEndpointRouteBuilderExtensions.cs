using Loyalty.AspNetCore;
using Loyalty.AspNetCore.Clicks;
using Loyalty.AspNetCore.Referrals;
using Loyalty.AspNetCore.Reviews;
using Loyalty.AspNetCore.Unsubscribe;
using Loyalty.Referrals;
using Loyalty.Referrals.Codes;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Maps Loyalty's endpoints.</summary>
public static class LoyaltyEndpointRouteBuilderExtensions
{
    /// <summary>
    /// Maps, under <see cref="LoyaltyEndpointOptions.Prefix"/> (default <c>/loyalty</c>): one-click unsubscribe and
    /// preferences, the tracked-click redirect <c>{prefix}/c/{token}</c> and, when Loyalty.Referrals is added
    /// (<c>AddReferrals()</c>), the review landing <c>{prefix}/review/{token}</c> (also at
    /// <c>Referrals:Reviews:LandingPath</c> when that differs), the tracked share link <c>{prefix}/s/{network}/{code}</c>
    /// (also at <c>Referrals:Sharing:OpenPath</c> when that differs) and the referral landing <c>/r/{code}</c> with its
    /// WeChat QR code <c>/r/{code}/wechat-qr.png</c> (<c>.svg</c>), at <c>Referrals:LandingPath</c>.
    /// </summary>
    public static RouteGroupBuilder MapLoyalty(this IEndpointRouteBuilder endpoints, Action<LoyaltyEndpointOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var options = endpoints.ServiceProvider.GetService<IOptions<LoyaltyEndpointOptions>>()?.Value ?? new LoyaltyEndpointOptions();
        configure?.Invoke(options);
        var group = endpoints.MapGroup(options.Prefix);
        UnsubscribeEndpoints.Map(group, options);
        TrackedClickEndpoints.Map(group);
        if (HasReferrals(endpoints.ServiceProvider))
        {
            var referrals = endpoints.ServiceProvider.GetRequiredService<IOptions<ReferralOptions>>().Value;
            ReferralEndpoints.Map(endpoints, referrals.LandingPath, options);
            ReviewLandingEndpoints.Map(endpoints, [options.Prefix.TrimEnd('/') + "/review", referrals.Reviews.LandingPath], options);
            ShareOpenEndpoints.Map(endpoints, [options.Prefix.TrimEnd('/') + "/s", referrals.Sharing.OpenPath]);
        }

        return group;
    }

    /// <summary>
    /// Honours <c>?ref=CODE</c> on any page (GET): records the visit (with <c>utm_source</c> as the network) and
    /// writes the attribution cookie, then serves the page as usual. Needs Loyalty.Referrals (<c>AddReferrals()</c>);
    /// without it the middleware does nothing.
    /// </summary>
    public static IApplicationBuilder UseLoyaltyReferralQuery(this IApplicationBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        if (!HasReferrals(app.ApplicationServices))
        {
            return app;
        }

        var options = app.ApplicationServices.GetService<IOptions<LoyaltyEndpointOptions>>()?.Value ?? new LoyaltyEndpointOptions();
        return app.Use(async (context, next) =>
        {
            if (HttpMethods.IsGet(context.Request.Method) && context.Request.Query.TryGetValue("ref", out var code) && code.Count == 1)
            {
                await ReferralEndpoints.RecordAsync(context, code.ToString(), options.AttributionCookieLifetime).ConfigureAwait(false);
            }

            await next(context).ConfigureAwait(false);
        });
    }

    private static bool HasReferrals(IServiceProvider services) =>
        services.GetService<IServiceProviderIsService>()?.IsService(typeof(ReferralCodes)) == true;
}
