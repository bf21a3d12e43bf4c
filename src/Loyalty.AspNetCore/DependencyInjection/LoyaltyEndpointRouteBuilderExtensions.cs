using Loyalty.AspNetCore;
using Loyalty.AspNetCore.Unsubscribe;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Maps Loyalty's endpoints.</summary>
public static class LoyaltyEndpointRouteBuilderExtensions
{
    /// <summary>
    /// Maps one-click unsubscribe and preferences (and, as the packages are added, the referral landing, the review
    /// landing and the tracked-click redirect) under <see cref="LoyaltyEndpointOptions.Prefix"/> (default <c>/loyalty</c>).
    /// </summary>
    public static RouteGroupBuilder MapLoyalty(this IEndpointRouteBuilder endpoints, Action<LoyaltyEndpointOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var options = endpoints.ServiceProvider.GetService<IOptions<LoyaltyEndpointOptions>>()?.Value ?? new LoyaltyEndpointOptions();
        configure?.Invoke(options);
        var group = endpoints.MapGroup(options.Prefix);
        UnsubscribeEndpoints.Map(group);
        return group;
    }
}
