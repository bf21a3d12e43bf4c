using System.ComponentModel.DataAnnotations;

namespace Loyalty.Validation;

/// <summary>
/// Size limits applied to every published event, so an oversized input is refused at the door
/// instead of exhausting memory or a database column. Bound from <c>Loyalty:Limits</c>.
/// </summary>
public sealed class LoyaltyInputLimits
{
    /// <summary>Longest id (event, customer, order, sku), in characters. Default 200.</summary>
    [Range(1, 10_000)]
    public int MaxIdLength { get; set; } = 200;

    /// <summary>Longest name (customer, product), in characters. Default 200.</summary>
    [Range(1, 100_000)]
    public int MaxNameLength { get; set; } = 200;

    /// <summary>Longest free text (review text), in characters. Default 10,000.</summary>
    [Range(1, 10_000_000)]
    public int MaxTextLength { get; set; } = 10_000;

    /// <summary>Most lines in one order. Default 500.</summary>
    [Range(1, 1_000_000)]
    public int MaxOrderLines { get; set; } = 500;

    /// <summary>Most tags on one order line. Default 50.</summary>
    [Range(0, 10_000)]
    public int MaxTagsPerLine { get; set; } = 50;

    /// <summary>Largest custom-event properties object, in UTF-8 bytes of JSON. Default 64 KiB.</summary>
    [Range(2, 100_000_000)]
    public int MaxCustomPropertiesBytes { get; set; } = 64 * 1024;

    /// <summary>Longest URL, in characters. Default 2,000.</summary>
    [Range(10, 100_000)]
    public int MaxUrlLength { get; set; } = 2_000;
}
