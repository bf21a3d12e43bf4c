using System.Collections.Frozen;
using System.Globalization;

namespace Loyalty.Email.Templates.Liquid;

/// <summary>
/// Writes an amount the way the customer's locale writes that currency, from .NET's culture data alone (no currency
/// table of our own): the currency's minor digits are those of the cultures whose region uses it (BHD 3, JPY and CLP
/// 0, TWD and THB 2); a customer whose region uses the currency sees its local symbol and pattern (<c>฿1,250.00</c>
/// in th, <c>$1,200.00</c> in zh-TW, <c>1.234,50 €</c> in de-DE); any other currency is written with its ISO code
/// (<c>TWD 1,200.00</c> for an en-US customer), so that no reader mistakes one dollar for another.
/// </summary>
internal static class MoneyFormatter
{
    // ISO code → minor digits, read once from the cultures .NET knows; immutable afterwards.
    private static readonly Lazy<FrozenDictionary<string, int>> MinorDigits = new(ReadMinorDigits);

    public static string Format(decimal amount, string? currency, CultureInfo culture)
    {
        var code = (currency ?? string.Empty).Trim().ToUpperInvariant();
        var digits = MinorDigits.Value.GetValueOrDefault(code, 2);
        var specific = SpecificCulture(culture);
        var numbers = (NumberFormatInfo)(specific ?? CultureInfo.InvariantCulture).NumberFormat.Clone();
        numbers.CurrencyDecimalDigits = digits;
        if (specific is not null && RegionCurrency(specific) == code)
        {
            return amount.ToString("C", numbers);
        }

        var number = Math.Abs(amount).ToString("N" + digits.ToString(CultureInfo.InvariantCulture), numbers);
        return (amount < 0 ? numbers.NegativeSign : string.Empty) + (code.Length > 0 ? code + " " : string.Empty) + number;
    }

    /// <summary>The ISO code a formatted amount ends with in <c>money_with_currency</c> (unless it already starts with it).</summary>
    public static string WithCurrency(string formatted, string? currency)
    {
        var code = (currency ?? string.Empty).Trim().ToUpperInvariant();
        return code.Length == 0 || formatted.Contains(code, StringComparison.Ordinal) ? formatted : formatted + " " + code;
    }

    private static CultureInfo? SpecificCulture(CultureInfo culture)
    {
        if (culture.Equals(CultureInfo.InvariantCulture))
        {
            return null;
        }

        if (!culture.IsNeutralCulture)
        {
            return culture;
        }

        try
        {
            return CultureInfo.CreateSpecificCulture(culture.Name);
        }
        catch (CultureNotFoundException)
        {
            return null;
        }
    }

    private static string? RegionCurrency(CultureInfo specific)
    {
        try
        {
            return new RegionInfo(specific.Name).ISOCurrencySymbol;
        }
        catch (ArgumentException)
        {
            return null;
        }
    }

    // Cultures of one currency agree but for a few locale variants: the most common count wins.
    private static FrozenDictionary<string, int> ReadMinorDigits() => CultureInfo.GetCultures(CultureTypes.SpecificCultures)
        .Select(c => (Code: RegionCurrency(c), c.NumberFormat.CurrencyDecimalDigits))
        .Where(c => c.Code is { Length: 3 })
        .GroupBy(c => c.Code!, StringComparer.Ordinal)
        .ToFrozenDictionary(g => g.Key, g => g.GroupBy(c => c.CurrencyDecimalDigits).MaxBy(d => d.Count())!.Key, StringComparer.Ordinal);
}
