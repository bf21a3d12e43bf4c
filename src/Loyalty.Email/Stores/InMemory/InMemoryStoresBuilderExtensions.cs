using Loyalty.DependencyInjection;
using Loyalty.Email.Stores.InMemory;
using Loyalty.Stores;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Wires the in-memory stores.</summary>
public static class InMemoryStoresBuilderExtensions
{
    /// <summary>
    /// Registers one <see cref="InMemoryLoyaltyStore"/> (a singleton) as every Loyalty store. NOT durable: for
    /// unit tests and quick experiments only. Registers with <c>TryAdd</c> only, so stores registered before
    /// (for instance the EF Core ones) win; can be safely called multiple times.
    /// </summary>
    public static LoyaltyBuilder UseInMemoryStores(this LoyaltyBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        services.TryAddSingleton<InMemoryLoyaltyStore>();
        services.TryAddSingleton<IProcessedEventStore>(sp => sp.GetRequiredService<InMemoryLoyaltyStore>());
        services.TryAddSingleton<ICustomerStore>(sp => sp.GetRequiredService<InMemoryLoyaltyStore>());
        services.TryAddSingleton<IIntakeStore>(sp => sp.GetRequiredService<InMemoryLoyaltyStore>());
        services.TryAddSingleton<IScheduledStepStore>(sp => sp.GetRequiredService<InMemoryLoyaltyStore>());
        services.TryAddSingleton<ISuppressionStore>(sp => sp.GetRequiredService<InMemoryLoyaltyStore>());
        return builder;
    }
}
