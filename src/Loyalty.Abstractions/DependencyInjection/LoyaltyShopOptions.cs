using System.ComponentModel.DataAnnotations;

namespace Loyalty.DependencyInjection;

/// <summary>The shop itself, as e-mails and links show it. Bound from <c>Loyalty:Shop</c>.</summary>
public sealed class LoyaltyShopOptions
{
    /// <summary>The shop's name, as customers know it.</summary>
    [Required(AllowEmptyStrings = false)]
    public string Name { get; set; } = "Our shop";

    /// <summary>The absolute base of every link in e-mails (https://shop.example/).</summary>
    [Required]
    public Uri BaseUrl { get; set; } = new("http://localhost:5000/");

    /// <summary>The postal address marketing e-mail must carry (CAN-SPAM and similar laws).</summary>
    public string? PostalAddress { get; set; }

    /// <summary>Locale used when a customer has none. Default <c>en</c>.</summary>
    [Required(AllowEmptyStrings = false)]
    public string DefaultLocale { get; set; } = "en";

    /// <summary>IANA time zone used when a customer has none. Default <c>UTC</c>.</summary>
    [Required(AllowEmptyStrings = false)]
    public string DefaultTimeZone { get; set; } = "UTC";
}
