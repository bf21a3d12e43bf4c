using System.Text.RegularExpressions;

namespace Loyalty.Email.Templates.Liquid;

/// <summary>" (did you mean 'first_name'?)" for the known name nearest a misspelt one, within two edits.</summary>
internal static class NameSuggestions
{
    public static string For(string name, IEnumerable<string> known)
    {
        var best = known.Select(k => (Name: k, Distance: Edits(name, k)))
            .Where(k => k.Distance <= Math.Clamp(name.Length / 3, 1, 2))
            .OrderBy(k => k.Distance).ThenBy(k => k.Name, StringComparer.Ordinal).FirstOrDefault();
        return best.Name is null ? string.Empty : $" (did you mean '{best.Name}'?)";
    }

    /// <summary>Levenshtein distance, a swap of two neighbours counted as one edit.</summary>
    private static int Edits(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (var i = 0; i <= a.Length; i++)
        {
            for (var j = 0; j <= b.Length; j++)
            {
                d[i, j] = i == 0 || j == 0 ? i + j : Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                {
                    d[i, j] = Math.Min(d[i, j], d[i - 2, j - 2] + 1);
                }
            }
        }

        return d[a.Length, b.Length];
    }
}

/// <summary>Line and column of a finding in a template's source.</summary>
internal static class TemplatePositions
{
    /// <summary>Where <paramref name="word"/> first stands as a whole word at or after <paramref name="from"/>, else <paramref name="from"/>.</summary>
    public static int Find(string text, string word, int from)
    {
        from = Math.Clamp(from, 0, text.Length);
        var match = new Regex(@"(?<![\w-])" + Regex.Escape(word) + @"(?![\w-])", RegexOptions.None, TimeSpan.FromSeconds(1)).Match(text, from);
        return match.Success ? match.Index : from;
    }

    /// <summary>1-based line and column of <paramref name="offset"/>.</summary>
    public static (int Line, int Column) Of(string text, int offset)
    {
        offset = Math.Clamp(offset, 0, text.Length);
        var lineStart = offset == 0 ? 0 : text.LastIndexOf('\n', offset - 1) + 1;
        return (text.AsSpan(0, offset).Count('\n') + 1, offset - lineStart + 1);
    }
}
