using System.Globalization;

namespace Loyalty.Email.Templates.Scriban;

/// <summary>Formats an amount the way a shop in that market writes it: NT$1,200, ฿1,250.00, ¥88.00, $12.50.</summary>
internal static class MoneyFormatter
{
    public static string Format(decimal amount, string currency, CultureInfo culture)
    {
        var code = (currency ?? string.Empty).Trim().ToUpperInvariant();
        var digits = code is "TWD" or "JPY" or "KRW" or "VND" or "IDR" ? 0 : 2;
        var symbol = code switch
        {
            "TWD" => "NT$",
            "USD" => "$",
            "CNY" or "RMB" => "¥",
            "JPY" => "¥",
            "THB" => "฿",
            "EUR" => "€",
            "GBP" => "£",
            "HKD" => "HK$",
            "SGD" => "S$",
            "KRW" => "₩",
            _ => code + " ",
        };

        // en, zh and th all group by thousands with ',' and use '.' for decimals; other cultures keep their own.
        var numberFormat = culture.NumberFormat;
        var rounded = Math.Round(Math.Abs(amount), digits, MidpointRounding.AwayFromZero);
        var text = rounded.ToString("N" + digits.ToString(CultureInfo.InvariantCulture), numberFormat);
        return (amount < 0 ? "-" : string.Empty) + symbol + text;
    }
}
