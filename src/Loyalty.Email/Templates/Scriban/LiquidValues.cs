using System.Collections;
using System.Globalization;
using Scriban.Runtime;

namespace Loyalty.Email.Templates.Scriban;

/// <summary>Liquid's (Ruby's) view of values: truthiness, strings, numbers, lists.</summary>
internal static class LiquidValues
{
    public static bool IsTruthy(object? value) => value is not null && value is not false;

    public static bool IsEmpty(object? value) => value switch
    {
        null => true,
        string s => s.Length == 0,
        ScriptArray a => a.Count == 0,
        ScriptObject o and not MoneyObject => o.Count == 0,
        _ => false,
    };

    public static string FormatDouble(double value)
    {
        if (double.IsFinite(value) && Math.Abs(value) < 1e16 && value == Math.Floor(value))
        {
            return value.ToString("0.0", CultureInfo.InvariantCulture);
        }

        return value.ToString("R", CultureInfo.InvariantCulture);
    }

    public static bool TryToDecimal(object? value, out decimal result)
    {
        switch (value)
        {
            case int i: result = i; return true;
            case long l: result = l; return true;
            case decimal d: result = d; return true;
            case double dbl when double.IsFinite(dbl) && Math.Abs(dbl) < 7.9e27: result = (decimal)dbl; return true;
            case float f when float.IsFinite(f): result = (decimal)f; return true;
            case MoneyObject m: result = m.Money.Amount; return true;
            case MoneyValue mv: result = mv.Amount; return true;
            case string s when decimal.TryParse(s.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed): result = parsed; return true;
            default: result = 0; return false;
        }
    }

    /// <summary>A number as Liquid sees it: <see cref="long"/> for integers, <see cref="decimal"/> (scale ≥ 1) for floats.</summary>
    public static object ToNumber(object? value)
    {
        switch (value)
        {
            case int i: return (long)i;
            case long l: return l;
            case decimal d: return d;
            case double dbl when double.IsFinite(dbl) && Math.Abs(dbl) < 7.9e27: return EnsureFloat(decimal.Parse(dbl.ToString("R", CultureInfo.InvariantCulture), NumberStyles.Float, CultureInfo.InvariantCulture));
            case MoneyObject m: return m.Money.Amount;
            case string s:
                {
                    var t = s.Trim();
                    if (long.TryParse(t, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l2))
                    {
                        return l2;
                    }

                    if (decimal.TryParse(t, NumberStyles.Float, CultureInfo.InvariantCulture, out var d2))
                    {
                        return EnsureFloat(d2);
                    }

                    // Ruby's to_i reads the leading digits.
                    var end = 0;
                    while (end < t.Length && (char.IsAsciiDigit(t[end]) || (end == 0 && t[end] is '-' or '+')))
                    {
                        end++;
                    }

                    return end > 0 && long.TryParse(t.AsSpan(0, end), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l3) ? l3 : 0L;
                }

            default: return 0L;
        }
    }

    public static decimal EnsureFloat(decimal value) => value.Scale == 0 ? value * 1.0m : value;

    public static bool IsFloat(object number) => number is decimal;

    public static decimal AsDecimal(object number) => number is long l ? l : (decimal)number;

    public static IList<object?> ToList(object? value) => value switch
    {
        null => new List<object?>(),
        ScriptArray a => a,
        string s => new List<object?> { s },
        ScriptObject o => new List<object?> { o },
        IEnumerable e => e.Cast<object?>().ToList(),
        _ => new List<object?> { value },
    };

    public static object? GetMember(object? item, string key) => item switch
    {
        ScriptObject o => o.TryGetValue(key, out var v) ? v : null,
        _ => null,
    };
}
