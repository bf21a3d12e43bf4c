using Loyalty.DependencyInjection;
using Loyalty.Validation;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers Loyalty's core services.</summary>
public static class LoyaltyServiceCollectionExtensions
{
    /// <summary>
    /// Registers Loyalty's core (shop options, input limits, the event validator, <see cref="TimeProvider"/>) and
    /// returns the builder packages extend. Can be safely called multiple times.
    /// </summary>
    public static LoyaltyBuilder AddLoyalty(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddOptions<LoyaltyShopOptions>().ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<LoyaltyInputLimits>().ValidateDataAnnotations().ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(sp => new LoyaltyEventValidator(
            sp.GetRequiredService<Microsoft.Extensions.Options.IOptions<LoyaltyInputLimits>>().Value));
        return new LoyaltyBuilder(services);
    }

    /// <summary>
    /// As <see cref="AddLoyalty(IServiceCollection)"/>, binding the shop from <c>Shop</c> and limits from
    /// <c>Limits</c> under <paramref name="configuration"/> (usually the <c>Loyalty</c> section).
    /// </summary>
    public static LoyaltyBuilder AddLoyalty(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var builder = services.AddLoyalty();
        services.AddOptions<LoyaltyShopOptions>().Bind(configuration.GetSection("Shop"));
        services.AddOptions<LoyaltyInputLimits>().Bind(configuration.GetSection("Limits"));
        builder.Configuration = configuration;
        return builder;
    }

    /// <summary>Registers the core and configures the shop in code.</summary>
    public static LoyaltyBuilder AddLoyalty(this IServiceCollection services, Action<LoyaltyShopOptions> configureShop)
    {
        ArgumentNullException.ThrowIfNull(configureShop);
        var builder = services.AddLoyalty();
        services.Configure(configureShop);
        return builder;
    }
}
