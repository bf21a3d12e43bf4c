using Microsoft.Extensions.DependencyInjection;

namespace Loyalty.DependencyInjection;

/// <summary>
/// Returned by <c>services.AddLoyalty()</c>; packages add their own <c>Add…</c>/<c>Use…</c> extension methods to
/// it, so registration reads as one chain: <c>services.AddLoyalty().AddEmail().UseEntityFrameworkCore&lt;T&gt;()</c>.
/// </summary>
public sealed class LoyaltyBuilder
{
    /// <summary>Creates a builder over <paramref name="services"/>.</summary>
    public LoyaltyBuilder(IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        Services = services;
    }

    /// <summary>The service collection everything is registered in.</summary>
    public IServiceCollection Services { get; }

    /// <summary>
    /// The <c>Loyalty</c> configuration section when the builder was made with one; packages bind their own
    /// sub-sections from it (<c>Email</c>, <c>Referrals</c>, <c>Links</c> ...).
    /// </summary>
    public Microsoft.Extensions.Configuration.IConfiguration? Configuration { get; set; }
}
