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

    public static string Format(decimal amount, string? currency, MoneyLocale locale)
    {
        var code = (currency ?? string.Empty).Trim().ToUpperInvariant();
        var digits = MinorDigits.Value.GetValueOrDefault(code, 2);
        var numbers = locale.WithDigits(digits);
        if (locale.Currency == code)
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

    /// <summary>How <paramref name="culture"/> writes numbers, and the currency of its region (a neutral culture's main one).</summary>
    public static MoneyLocale LocaleOf(CultureInfo culture)
    {
        if (culture.Equals(CultureInfo.InvariantCulture))
        {
            return new MoneyLocale(culture.NumberFormat, null);
        }

        try
        {
            // The cached instance: a culture made by CreateSpecificCulture loads its number data again (about 140 µs).
            var specific = culture.IsNeutralCulture ? CultureInfo.GetCultureInfo(CultureInfo.CreateSpecificCulture(culture.Name).Name) : culture;
            return new MoneyLocale(specific.NumberFormat, RegionCurrency(specific));
        }
        catch (CultureNotFoundException)
        {
            return new MoneyLocale(CultureInfo.InvariantCulture.NumberFormat, null);
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

/// <summary>A customer's way of writing numbers and the ISO code of their region's currency (null: none known).</summary>
internal sealed class MoneyLocale(NumberFormatInfo numbers, string? currency)
{
    // The locale's number format with 0–4 minor digits, made when first needed (a clone costs more than the format).
    private readonly NumberFormatInfo?[] _byDigits = new NumberFormatInfo?[5];

    public string? Currency { get; } = currency;

    // A race makes two equal read-only copies; either serves.
    public NumberFormatInfo WithDigits(int digits) => digits is < 0 or > 4 ? Make(digits) : _byDigits[digits] ??= Make(digits);

    private NumberFormatInfo Make(int digits)
    {
        var format = (NumberFormatInfo)numbers.Clone();
        format.CurrencyDecimalDigits = digits;
        return NumberFormatInfo.ReadOnly(format);
    }
}
