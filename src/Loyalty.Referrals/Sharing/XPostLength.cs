using System.Globalization;
using System.Text;

namespace Loyalty.Referrals.Sharing;

/// <summary>
/// X's post length rule: at most 280 weighted characters, where a link counts as 23 whatever its length, code points
/// in the Latin, Thai and general punctuation ranges count 1 and everything else (Chinese, Japanese, Korean, emoji)
/// counts 2 — so a Chinese post holds about 140 characters.
/// </summary>
public static class XPostLength
{
    /// <summary>The limit.</summary>
    public const int MaxWeightedLength = 280;

    /// <summary>What any URL counts as (t.co wrapping).</summary>
    public const int UrlLength = 23;

    /// <summary>The weighted length of plain text (no URLs in it).</summary>
    public static int Weigh(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var total = 0;
        foreach (var rune in text.EnumerateRunes())
        {
            total += Weight(rune);
        }

        return total;
    }

    /// <summary>
    /// <paramref name="text"/> shortened (at a text-element boundary, with an ellipsis) so that the text, a space and
    /// one URL fit within <see cref="MaxWeightedLength"/>.
    /// </summary>
    public static string FitWithUrl(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var budget = MaxWeightedLength - UrlLength - 1;
        if (Weigh(text) <= budget)
        {
            return text;
        }

        const string ellipsis = "…";
        var room = budget - Weigh(ellipsis);
        var result = new StringBuilder();
        var used = 0;
        var elements = StringInfo.GetTextElementEnumerator(text);
        while (elements.MoveNext())
        {
            var element = (string)elements.Current;
            var weight = Weigh(element);
            if (used + weight > room)
            {
                break;
            }

            result.Append(element);
            used += weight;
        }

        return result.ToString().TrimEnd() + ellipsis;
    }

    private static int Weight(Rune rune)
    {
        var c = rune.Value;
        return c is <= 4351 or (>= 8192 and <= 8205) or (>= 8208 and <= 8223) or (>= 8242 and <= 8247) ? 1 : 2;
    }
}
