using System.Globalization;
using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using Scriban.Runtime;

namespace Loyalty.Email.Templates.Scriban;

/// <summary>
/// Filters with Shopify Liquid's semantics where Scriban's Liquid mode differs or has none (measured on golden-liquid),
/// plus Loyalty's own (<c>money</c>, localised <c>date</c>, <c>raw</c>).
/// </summary>
internal static partial class LiquidFilterPack
{
    public static IReadOnlyList<FilterFunction> Create() =>
    [
        // Strings
        new("append", 1, 1, c => Str(c, c.Input) + Str(c, c.Arg(0))),
        new("prepend", 1, 1, c => Str(c, c.Arg(0)) + Str(c, c.Input)),
        new("capitalize", 0, 0, c => Capitalize(Str(c, c.Input))),
        new("downcase", 0, 0, c => Str(c, c.Input).ToLowerInvariant()),
        new("upcase", 0, 0, c => Str(c, c.Input).ToUpperInvariant()),
        new("strip", 0, 0, c => Str(c, c.Input).Trim()),
        new("lstrip", 0, 0, c => Str(c, c.Input).TrimStart()),
        new("rstrip", 0, 0, c => Str(c, c.Input).TrimEnd()),
        new("strip_newlines", 0, 0, c => Str(c, c.Input).Replace("\r", string.Empty, StringComparison.Ordinal).Replace("\n", string.Empty, StringComparison.Ordinal)),
        new("newline_to_br", 0, 0, c => c.Context.Trust(HtmlEncodeIfNeeded(c, Str(c, c.Input)).Replace("\r\n", "<br />\n", StringComparison.Ordinal).Replace("\n", "<br />\n", StringComparison.Ordinal).Replace("<br />\n<br />\n", "<br />\n<br />\n", StringComparison.Ordinal))),
        new("escape", 0, 0, c => c.Input is null ? null : c.Context.Trust(Escape(Str(c, c.Input)))),
        new("h", 0, 0, c => c.Input is null ? null : c.Context.Trust(Escape(Str(c, c.Input)))),
        new("escape_once", 0, 0, c => c.Context.Trust(Escape(WebUtility.HtmlDecode(Str(c, c.Input))))),
        new("strip_html", 0, 0, c => StripHtml(Str(c, c.Input))),
        new("remove", 1, 1, c => Str(c, c.Input).Replace(Str(c, c.Arg(0)), string.Empty, StringComparison.Ordinal)),
        new("remove_first", 1, 1, c => ReplaceFirst(Str(c, c.Input), Str(c, c.Arg(0)), string.Empty)),
        new("remove_last", 1, 1, c => ReplaceLast(Str(c, c.Input), Str(c, c.Arg(0)), string.Empty)),
        new("replace", 1, 2, c => ReplaceAll(c, Str(c, c.Input), Str(c, c.Arg(0)), Str(c, c.Arg(1)))),
        new("replace_first", 1, 2, c => ReplaceFirst(Str(c, c.Input), Str(c, c.Arg(0)), Str(c, c.Arg(1)))),
        new("replace_last", 2, 2, c => ReplaceLast(Str(c, c.Input), Str(c, c.Arg(0)), Str(c, c.Arg(1)))),
        new("truncate", 0, 2, Truncate),
        new("truncatewords", 0, 2, TruncateWords),
        new("split", 1, 1, Split),
        new("slice", 1, 2, Slice),
        new("url_encode", 0, 0, c => c.Input is null ? null : WebUtility.UrlEncode(Str(c, c.Input))),
        new("url_decode", 0, 0, c => c.Input is null ? null : WebUtility.UrlDecode(Str(c, c.Input))),
        new("base64_encode", 0, 0, c => Convert.ToBase64String(Encoding.UTF8.GetBytes(Str(c, c.Input)))),
        new("base64_decode", 0, 0, c => Encoding.UTF8.GetString(Convert.FromBase64String(Str(c, c.Input)))),
        new("base64_url_safe_encode", 0, 0, c => Convert.ToBase64String(Encoding.UTF8.GetBytes(Str(c, c.Input))).Replace('+', '-').Replace('/', '_')),
        new("base64_url_safe_decode", 0, 0, c => Encoding.UTF8.GetString(Convert.FromBase64String(Pad(Str(c, c.Input).Replace('-', '+').Replace('_', '/'))))),
        new("raw", 0, 0, c => c.Input is string s ? c.Context.Trust(s) : c.Input is null ? null : c.Context.Trust(Str(c, c.Input))),

        // Arrays
        new("join", 0, 1, c => c.Input is ScriptArray a ? string.Join(c.Args.Count > 0 ? Str(c, c.Arg(0)) : " ", a.Select(x => Str(c, x))) : Str(c, c.Input)),
        new("first", 0, 0, c => c.Input switch { ScriptArray a => a.Count > 0 ? a[0] : null, string s => s.Length > 0 ? s[..1] : null, _ => null }),
        new("last", 0, 0, c => c.Input switch { ScriptArray a => a.Count > 0 ? a[^1] : null, string s => s.Length > 0 ? s[^1..] : null, _ => null }),
        new("size", 0, 0, c => c.Input switch { string s => (long)s.Length, ScriptArray a => (long)a.Count, MoneyObject => 0L, ScriptObject o => (long)o.Count, _ => 0L }),
        new("reverse", 0, 0, c => c.Input is ScriptArray a ? new ScriptArray(a.Reverse()) : c.Input is string ? c.Input : Array(c, c.Input)),
        new("uniq", 0, 1, Uniq),
        new("compact", 0, 1, c => new ScriptArray(Array(c, c.Input).Where(x => (c.Args.Count > 0 ? LiquidValues.GetMember(x, Str(c, c.Arg(0))) : x) is not null))),
        new("concat", 1, 1, c => c.Arg(0) is ScriptArray other ? new ScriptArray(Array(c, c.Input).Concat(other)) : throw c.Error("concat expects an array argument")),
        new("map", 1, 1, c => new ScriptArray(Array(c, c.Input).Select(x => LiquidValues.GetMember(x, Str(c, c.Arg(0)))))),
        new("where", 1, 2, c => SelectWhere(c, keep: true)),
        new("reject", 1, 2, c => SelectWhere(c, keep: false)),
        new("find", 1, 2, c => FindIndex(c) is { } i ? Flatten(c.Input)[i] : null),
        new("find_index", 1, 2, c => FindIndex(c) is { } i ? (long)i : null),
        new("has", 1, 2, c => FindIndex(c) is not null),
        new("sort", 0, 1, c => Sort(c, natural: false)),
        new("sort_natural", 0, 1, c => Sort(c, natural: true)),
        new("sum", 0, 1, Sum),

        // Numbers (decimal, never double, so that money adds up)
        new("plus", 1, 1, c => Arithmetic(c, (a, b) => a + b, (a, b) => checked(a + b))),
        new("minus", 1, 1, c => Arithmetic(c, (a, b) => a - b, (a, b) => checked(a - b))),
        new("times", 1, 1, c => Arithmetic(c, (a, b) => a * b, (a, b) => checked(a * b))),
        new("divided_by", 1, 1, DividedBy),
        new("modulo", 1, 1, Modulo),
        new("abs", 0, 0, c => LiquidValues.ToNumber(c.Input) is long l ? Math.Abs(l) : (object)Math.Abs((decimal)LiquidValues.ToNumber(c.Input))),
        new("ceil", 0, 0, c => (long)Math.Ceiling(LiquidValues.AsDecimal(LiquidValues.ToNumber(c.Input)))),
        new("floor", 0, 0, c => (long)Math.Floor(LiquidValues.AsDecimal(LiquidValues.ToNumber(c.Input)))),
        new("round", 0, 1, Round),
        new("at_least", 1, 1, c => Extreme(c, max: true)),
        new("at_most", 1, 1, c => Extreme(c, max: false)),

        // Values
        new("default", 0, 3, Default),
        new("date", 1, 1, DateFilter.Apply),
        new("money", 0, 1, Money),
        new("money_with_currency", 0, 1, c => Money(c) is string s && s.Length > 0 ? s + " " + Currency(c) : null),
        new("json", 0, 0, c => Json(c, c.Input)),
    ];

    internal static string Str(FilterCall c, object? value) => value switch
    {
        null => string.Empty,
        string s => s,
        _ => c.Context.ObjectToString(value),
    };

    private static ScriptArray Array(FilterCall c, object? value) => value switch
    {
        ScriptArray a => a,
        null => [],
        _ => [value],
    };

    private static string Capitalize(string s) =>
        s.Length == 0 ? s : char.ToUpperInvariant(s[0]) + s[1..].ToLowerInvariant();

    private static string HtmlEncodeIfNeeded(FilterCall c, string s) => c.Context.Settings.HtmlEncode ? Escape(s) : s;

    internal static string Escape(string s) =>
        s.Replace("&", "&amp;", StringComparison.Ordinal).Replace("<", "&lt;", StringComparison.Ordinal).Replace(">", "&gt;", StringComparison.Ordinal)
         .Replace("\"", "&quot;", StringComparison.Ordinal).Replace("'", "&#39;", StringComparison.Ordinal);

    [GeneratedRegex("<script.*?</script>|<!--.*?-->|<style.*?</style>|<.*?>", RegexOptions.Singleline | RegexOptions.IgnoreCase, matchTimeoutMilliseconds: 1000)]
    private static partial Regex HtmlTag();

    internal static string StripHtml(string s) => HtmlTag().Replace(s, string.Empty);

    private static string Pad(string s) => s.PadRight(s.Length + ((4 - (s.Length % 4)) % 4), '=');

    private static string ReplaceAll(FilterCall c, string input, string search, string replacement)
    {
        // The result can be input × replacement long: refuse it by its computed length before building it
        // (FilterFunction's check of the result comes after the allocation).
        var occurrences = search.Length == 0 ? input.Length + 1L : CountOccurrences(input, search);
        var length = input.Length + (occurrences * (replacement.Length - search.Length));
        if (c.Context.LimitToString > 0 && length > c.Context.LimitToString)
        {
            throw c.Error($"Filter 'replace' would produce {length} characters, more than {c.Context.LimitToString}.");
        }

        if (search.Length == 0)
        {
            // Ruby inserts the replacement between every character and at both ends.
            var builder = new StringBuilder(replacement);
            foreach (var ch in input)
            {
                builder.Append(ch).Append(replacement);
            }

            return builder.ToString();
        }

        return input.Replace(search, replacement, StringComparison.Ordinal);
    }

    private static long CountOccurrences(string input, string search)
    {
        var count = 0L;
        for (var at = input.IndexOf(search, StringComparison.Ordinal); at >= 0; at = input.IndexOf(search, at + search.Length, StringComparison.Ordinal))
        {
            count++;
        }

        return count;
    }

    private static string ReplaceFirst(string input, string search, string replacement)
    {
        var index = input.IndexOf(search, StringComparison.Ordinal);
        return index < 0 ? input : string.Concat(input.AsSpan(0, index), replacement, input.AsSpan(index + search.Length));
    }

    private static string ReplaceLast(string input, string search, string replacement)
    {
        var index = search.Length == 0 ? input.Length : input.LastIndexOf(search, StringComparison.Ordinal);
        return index < 0 ? input : string.Concat(input.AsSpan(0, index), replacement, input.AsSpan(index + search.Length));
    }

    private static int Int(FilterCall c, object? value)
    {
        var n = LiquidValues.ToNumber(value);
        if (value is string s && !long.TryParse(s.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _) &&
            !decimal.TryParse(s.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out _))
        {
            throw c.Error($"invalid integer argument '{s}'");
        }

        if (value is not null and not string and not int and not long and not decimal and not double)
        {
            throw c.Error("invalid integer argument");
        }

        return (int)Math.Clamp(LiquidValues.AsDecimal(n), int.MinValue, int.MaxValue);
    }

    private static object? Truncate(FilterCall c)
    {
        if (c.Input is null)
        {
            return null;
        }

        var s = Str(c, c.Input);
        var length = c.Args.Count > 0 ? Int(c, c.Arg(0)) : 50;
        var ellipsis = c.Args.Count > 1 ? Str(c, c.Arg(1)) : "...";
        if (s.Length <= length)
        {
            return s;
        }

        var keep = Math.Max(0, length - ellipsis.Length);
        return s[..keep] + ellipsis;
    }

    private static object? TruncateWords(FilterCall c)
    {
        if (c.Input is null)
        {
            return null;
        }

        var s = Str(c, c.Input);
        var count = c.Args.Count > 0 ? Int(c, c.Arg(0)) : 15;
        var ellipsis = c.Args.Count > 1 ? Str(c, c.Arg(1)) : "...";
        count = Math.Max(1, count);
        var words = s.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        return words.Length <= count ? s : string.Join(' ', words.Take(count)) + ellipsis;
    }

    private static ScriptArray Split(FilterCall c)
    {
        var s = Str(c, c.Input);
        var separator = Str(c, c.Arg(0));
        IEnumerable<string> parts;
        if (separator.Length == 0)
        {
            parts = s.Select(ch => ch.ToString());
        }
        else if (separator == " ")
        {
            parts = s.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        }
        else
        {
            var list = s.Split(separator).ToList();
            while (list.Count > 0 && list[^1].Length == 0)
            {
                list.RemoveAt(list.Count - 1); // Ruby drops trailing empty fields
            }

            parts = list;
        }

        return new ScriptArray(parts);
    }

    private static object? Slice(FilterCall c)
    {
        var start = Int(c, c.Arg(0));
        var length = c.Args.Count > 1 ? Int(c, c.Arg(1)) : 1;
        if (c.Input is ScriptArray a)
        {
            var (from, count) = Range(a.Count, start, length);
            return new ScriptArray(a.Skip(from).Take(count));
        }

        var s = Str(c, c.Input);
        var (f, n) = Range(s.Length, start, length);
        return s.Substring(f, n);
    }

    private static (int From, int Count) Range(int total, int start, int length)
    {
        if (start < 0)
        {
            start += total;
        }

        if (start < 0 || start > total || length < 0)
        {
            return (0, 0);
        }

        return (start, Math.Min(length, total - start));
    }

    private static ScriptArray Uniq(FilterCall c)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var result = new ScriptArray();
        foreach (var item in Array(c, c.Input))
        {
            var key = c.Args.Count > 0 ? LiquidValues.GetMember(item, Str(c, c.Arg(0))) : item;
            if (seen.Add((key?.GetType().Name ?? "nil") + ":" + Str(c, key)))
            {
                result.Add(item);
            }
        }

        return result;
    }

    /// <summary>
    /// The list a filter of the where family reads (Ruby Liquid's InputIterator): nested arrays flattened, a hash or a
    /// string as a list of one.
    /// </summary>
    private static List<object?> Flatten(object? input)
    {
        var items = new List<object?>();
        void Add(object? value, int depth)
        {
            if (value is ScriptArray array && depth < 32)
            {
                foreach (var item in array)
                {
                    Add(item, depth + 1);
                }
            }
            else
            {
                items.Add(value);
            }
        }

        if (input is not null)
        {
            Add(input, 0);
        }

        return items;
    }

    /// <summary>
    /// Ruby's <c>item[property]</c>: a hash's value; for a string, the property when the string contains it (a substring
    /// match); anything else cannot be read.
    /// </summary>
    private static object? Property(FilterCall c, object? item, object? property) => item switch
    {
        ScriptObject o => property is null ? null : LiquidValues.GetMember(o, Str(c, property)),
        string s when property is string p => s.Contains(p, StringComparison.Ordinal) ? p : null,
        string s when property is long index => index >= -s.Length && index < s.Length ? s[(int)(index < 0 ? index + s.Length : index)].ToString() : null,
        _ => throw c.Error($"cannot read the property '{Str(c, property)}' of {(item is null ? "nil" : item is string ? "a string" : item is bool ? "a boolean" : "a number")}"),
    };

    /// <summary>Liquid's test of the where family: the property is truthy (no value given, or nil), or equals the value.</summary>
    private static bool Matches(FilterCall c, object? item)
    {
        var value = Property(c, item, c.Arg(0));
        var wanted = c.Arg(1);
        if (wanted is null)
        {
            return LiquidValues.IsTruthy(value);
        }

        return LiquidOperators.AreEqual(value, wanted) || (value is ScriptArray list && list.Any(x => LiquidOperators.AreEqual(x, wanted)));
    }

    private static ScriptArray SelectWhere(FilterCall c, bool keep) => new(Flatten(c.Input).Where(item => Matches(c, item) == keep));

    private static int? FindIndex(FilterCall c)
    {
        var items = Flatten(c.Input);
        for (var i = 0; i < items.Count; i++)
        {
            if (Matches(c, items[i]))
            {
                return i;
            }
        }

        return null;
    }

    private static ScriptArray Sort(FilterCall c, bool natural)
    {
        var items = Array(c, c.Input).ToList();
        var key = c.Args.Count > 0 ? Str(c, c.Arg(0)) : null;
        object? KeyOf(object? x) => key is null ? x : LiquidValues.GetMember(x, key);
        var withKey = items.Where(x => KeyOf(x) is not null).ToList();
        var nils = items.Where(x => KeyOf(x) is null);
        Comparison<object?> comparison = natural
            ? (a, b) => string.Compare(Str(c, KeyOf(a)), Str(c, KeyOf(b)), StringComparison.OrdinalIgnoreCase)
            : (a, b) => CompareValues(c, KeyOf(a), KeyOf(b));
        var sorted = withKey.OrderBy(x => x, Comparer<object?>.Create(comparison)).ToList();
        return new ScriptArray(sorted.Concat(nils));
    }

    private static int CompareValues(FilterCall c, object? a, object? b)
    {
        if (a is not string && b is not string && LiquidValues.TryToDecimal(a, out var x) && LiquidValues.TryToDecimal(b, out var y))
        {
            return x.CompareTo(y);
        }

        if (a is string sa && b is string sb)
        {
            return string.CompareOrdinal(sa, sb);
        }

        if (a is string != b is string)
        {
            throw c.Error("cannot sort values of different types");
        }

        return string.CompareOrdinal(Str(c, a), Str(c, b));
    }

    private static object Sum(FilterCall c)
    {
        object total = 0L;
        foreach (var item in Array(c, c.Input))
        {
            var value = c.Args.Count > 0 ? LiquidValues.GetMember(item, Str(c, c.Arg(0))) : item;
            if (value is ScriptArray or ScriptObject and not MoneyObject)
            {
                continue;
            }

            var number = value is string s && !LiquidValues.TryToDecimal(s, out _) ? 0L : LiquidValues.ToNumber(value);
            total = total is long tl && number is long nl ? tl + nl : (object)(LiquidValues.AsDecimal(total) + LiquidValues.AsDecimal(number));
        }

        return total;
    }

    private static object Arithmetic(FilterCall c, Func<decimal, decimal, decimal> onDecimal, Func<long, long, long> onLong)
    {
        var a = LiquidValues.ToNumber(c.Input);
        var b = LiquidValues.ToNumber(c.Arg(0));
        if (a is long la && b is long lb)
        {
            try
            {
                return onLong(la, lb);
            }
            catch (OverflowException)
            {
                return onDecimal(la, lb);
            }
        }

        return onDecimal(LiquidValues.AsDecimal(a), LiquidValues.AsDecimal(b));
    }

    private static object DividedBy(FilterCall c)
    {
        var a = LiquidValues.ToNumber(c.Input);
        var b = LiquidValues.ToNumber(c.Arg(0));
        if (LiquidValues.AsDecimal(b) == 0)
        {
            throw c.Error("divided by 0");
        }

        if (a is long la && b is long lb)
        {
            // Liquid's integer division floors (Ruby), it does not truncate toward zero.
            return (long)Math.Floor((decimal)la / lb);
        }

        return LiquidValues.EnsureFloat(LiquidValues.AsDecimal(a) / LiquidValues.AsDecimal(b));
    }

    private static object Modulo(FilterCall c)
    {
        var a = LiquidValues.ToNumber(c.Input);
        var b = LiquidValues.ToNumber(c.Arg(0));
        if (LiquidValues.AsDecimal(b) == 0)
        {
            throw c.Error("divided by 0");
        }

        var x = LiquidValues.AsDecimal(a);
        var y = LiquidValues.AsDecimal(b);
        var r = x - (y * Math.Floor(x / y)); // Ruby's modulo takes the divisor's sign
        return a is long && b is long ? (long)r : LiquidValues.EnsureFloat(r);
    }

    private static object Round(FilterCall c)
    {
        var n = LiquidValues.ToNumber(c.Input);
        var digits = c.Args.Count > 0 ? Int(c, c.Arg(0)) : 0;
        var rounded = Math.Round(LiquidValues.AsDecimal(n), Math.Clamp(digits, 0, 28), MidpointRounding.AwayFromZero);
        return digits <= 0 ? (long)rounded : LiquidValues.EnsureFloat(rounded);
    }

    private static object Extreme(FilterCall c, bool max)
    {
        var a = LiquidValues.ToNumber(c.Input);
        var b = LiquidValues.ToNumber(c.Arg(0));
        var cmp = LiquidValues.AsDecimal(a).CompareTo(LiquidValues.AsDecimal(b));
        return max ? (cmp >= 0 ? a : b) : (cmp <= 0 ? a : b);
    }

    private static object? Default(FilterCall c)
    {
        // The rewriter turns Liquid's keyword allow_false: into a marker argument followed by its value.
        var positional = new List<object?>();
        var allowFalse = false;
        for (var i = 0; i < c.Args.Count; i++)
        {
            if (c.Args[i] is LiquidSourceRewriter.AllowFalseMarker && i + 1 < c.Args.Count)
            {
                allowFalse = LiquidValues.IsTruthy(c.Args[++i]);
            }
            else
            {
                positional.Add(c.Args[i]);
            }
        }

        allowFalse |= positional.Count > 1 && LiquidValues.IsTruthy(positional[1]);
        var input = c.Input;
        var missing = input is null || (input is false && !allowFalse) || (LiquidValues.IsEmpty(input) && input is not MoneyObject);
        return missing ? positional.FirstOrDefault() : input;
    }

    private static object? Money(FilterCall c)
    {
        switch (c.Input)
        {
            case null:
                return null;
            case MoneyObject money:
                return MoneyFormatter.Format(money.Money.Amount, c.Args.Count > 0 ? Str(c, c.Arg(0)) : money.Money.Currency, c.Context.Settings.Culture);
            default:
                if (c.Args.Count == 0)
                {
                    throw c.Error("money needs a currency for a plain number: {{ amount | money: \"TWD\" }}");
                }

                if (!LiquidValues.TryToDecimal(c.Input, out var amount))
                {
                    throw c.Error("money needs a number");
                }

                return MoneyFormatter.Format(amount, Str(c, c.Arg(0)), c.Context.Settings.Culture);
        }
    }

    private static string Currency(FilterCall c) =>
        c.Args.Count > 0 ? Str(c, c.Arg(0)).ToUpperInvariant() : c.Input is MoneyObject m ? m.Money.Currency : string.Empty;

    private static string Json(FilterCall c, object? value) => value switch
    {
        null => "null",
        bool b => b ? "true" : "false",
        string s => System.Text.Json.JsonSerializer.Serialize(s),
        long or int or decimal or double => Str(c, value),
        MoneyObject m => System.Text.Json.JsonSerializer.Serialize(new { amount = m.Money.Amount, currency = m.Money.Currency }),
        ScriptArray a => "[" + string.Join(",", a.Select(x => Json(c, x))) + "]",
        ScriptObject o => "{" + string.Join(",", o.Select(p => System.Text.Json.JsonSerializer.Serialize(p.Key) + ":" + Json(c, p.Value))) + "}",
        _ => System.Text.Json.JsonSerializer.Serialize(Str(c, value)),
    };
}
