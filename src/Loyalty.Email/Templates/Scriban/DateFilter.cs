using System.Globalization;
using System.Text;

namespace Loyalty.Email.Templates.Scriban;

/// <summary>
/// <c>date</c> with Ruby strftime formats (<c>%-d</c>, <c>%B</c>, <c>%b</c>, <c>%A</c>, <c>%Y-%m-%d %H:%M</c>, ...), in the
/// model's time zone, with month and day names of the model's locale.
/// </summary>
internal static class DateFilter
{
    public static object? Apply(FilterCall c)
    {
        var format = LiquidFilterPack.Str(c, c.Arg(0));
        if (c.Input is null || format.Length == 0)
        {
            return c.Input;
        }

        if (!TryGetDate(c, c.Input, out var instant))
        {
            return c.Input;
        }

        var local = TimeZoneInfo.ConvertTime(instant, c.Context.Settings.Zone);
        return Strftime(local, format, c.Context.Settings.Culture);
    }

    private static bool TryGetDate(FilterCall c, object input, out DateTimeOffset value)
    {
        switch (input)
        {
            case DateTimeOffset dto:
                value = dto;
                return true;
            case long or int or decimal or double:
                value = DateTimeOffset.FromUnixTimeSeconds((long)LiquidValues.AsDecimal(LiquidValues.ToNumber(input)));
                return true;
            case string s:
                var text = s.Trim();
                if (text is "now" or "today")
                {
                    value = c.Context.Clock.GetUtcNow();
                    return true;
                }

                if (long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var seconds))
                {
                    value = DateTimeOffset.FromUnixTimeSeconds(seconds);
                    return true;
                }

                return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AllowWhiteSpaces, out value);
            default:
                value = default;
                return false;
        }
    }

    public static string Strftime(DateTimeOffset d, string format, CultureInfo culture)
    {
        var names = culture.DateTimeFormat;
        var builder = new StringBuilder();
        for (var i = 0; i < format.Length; i++)
        {
            var ch = format[i];
            if (ch != '%' || i + 1 >= format.Length)
            {
                builder.Append(ch);
                continue;
            }

            var noPad = false;
            var upper = false;
            var next = format[++i];
            while (next is '-' or '^' or '_' && i + 1 < format.Length)
            {
                noPad |= next == '-';
                upper |= next == '^';
                next = format[++i];
            }

            string Pad(int value, int width) => noPad ? value.ToString(CultureInfo.InvariantCulture) : value.ToString(new string('0', width), CultureInfo.InvariantCulture);

            var piece = next switch
            {
                'Y' => d.Year.ToString(CultureInfo.InvariantCulture),
                'C' => (d.Year / 100).ToString(CultureInfo.InvariantCulture),
                'y' => Pad(d.Year % 100, 2),
                'm' => Pad(d.Month, 2),
                'B' => GregorianName(names.MonthNames, d.Month - 1, CultureInfo.InvariantCulture.DateTimeFormat.MonthNames),
                'b' or 'h' => GregorianName(names.AbbreviatedMonthNames, d.Month - 1, CultureInfo.InvariantCulture.DateTimeFormat.AbbreviatedMonthNames),
                'd' => Pad(d.Day, 2),
                'e' => noPad ? d.Day.ToString(CultureInfo.InvariantCulture) : d.Day.ToString(CultureInfo.InvariantCulture).PadLeft(2),
                'j' => Pad(d.DayOfYear, 3),
                'H' => Pad(d.Hour, 2),
                'k' => d.Hour.ToString(CultureInfo.InvariantCulture).PadLeft(noPad ? 0 : 2),
                'I' => Pad(Hour12(d.Hour), 2),
                'l' => Hour12(d.Hour).ToString(CultureInfo.InvariantCulture).PadLeft(noPad ? 0 : 2),
                'M' => Pad(d.Minute, 2),
                'S' => Pad(d.Second, 2),
                'L' => d.Millisecond.ToString("000", CultureInfo.InvariantCulture),
                'N' => (d.Ticks % TimeSpan.TicksPerSecond * 100).ToString("000000000", CultureInfo.InvariantCulture),
                'p' => d.Hour < 12 ? AmPm(names.AMDesignator, "AM") : AmPm(names.PMDesignator, "PM"),
                'P' => (d.Hour < 12 ? AmPm(names.AMDesignator, "AM") : AmPm(names.PMDesignator, "PM")).ToLowerInvariant(),
                'A' => names.DayNames[(int)d.DayOfWeek],
                'a' => names.AbbreviatedDayNames[(int)d.DayOfWeek],
                'u' => (d.DayOfWeek == DayOfWeek.Sunday ? 7 : (int)d.DayOfWeek).ToString(CultureInfo.InvariantCulture),
                'w' => ((int)d.DayOfWeek).ToString(CultureInfo.InvariantCulture),
                'z' => (d.Offset < TimeSpan.Zero ? "-" : "+") + d.Offset.ToString("hhmm", CultureInfo.InvariantCulture),
                'Z' => d.Offset == TimeSpan.Zero ? "UTC" : (d.Offset < TimeSpan.Zero ? "-" : "+") + d.Offset.ToString("hh\\:mm", CultureInfo.InvariantCulture),
                's' => d.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture),
                'F' => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
                'D' or 'x' => d.ToString("MM/dd/yy", CultureInfo.InvariantCulture),
                'T' or 'X' => d.ToString("HH:mm:ss", CultureInfo.InvariantCulture),
                'R' => d.ToString("HH:mm", CultureInfo.InvariantCulture),
                'c' => Strftime(d, "%a %b %e %H:%M:%S %Y", culture),
                '%' => "%",
                _ => "%" + next,
            };
            builder.Append(upper ? piece.ToUpperInvariant() : piece);
        }

        return builder.ToString();
    }

    private static int Hour12(int hour) => hour % 12 == 0 ? 12 : hour % 12;

    private static string AmPm(string localised, string fallback) => string.IsNullOrEmpty(localised) ? fallback : localised;

    // Cultures such as th-TH default to a non-Gregorian calendar; month names are the same, and years stay Gregorian.
    private static string GregorianName(string[] names, int index, string[] fallback) =>
        index < names.Length && !string.IsNullOrEmpty(names[index]) ? names[index] : fallback[index];
}
