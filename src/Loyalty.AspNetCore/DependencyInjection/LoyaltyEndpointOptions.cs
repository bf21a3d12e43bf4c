namespace Loyalty.AspNetCore;

/// <summary>Options of the endpoints <c>MapLoyalty</c> maps.</summary>
public sealed class LoyaltyEndpointOptions
{
    /// <summary>The prefix of every Loyalty endpoint. Default <c>/loyalty</c>.</summary>
    public string Prefix { get; set; } = "/loyalty";

    /// <summary>Marketing topics the preferences page offers, besides "all marketing".</summary>
    public IList<string> Topics { get; } = [];
}
