using System.Net;
using System.Text.RegularExpressions;

namespace Loyalty.Email.Templates;

/// <summary>The plain-text part for templates without <c>text.liquid</c>: links kept as "text (url)", paragraphs as lines.</summary>
internal static partial class HtmlToText
{
    [GeneratedRegex(@"<(script|style|head)\b.*?</\1\s*>", RegexOptions.Singleline | RegexOptions.IgnoreCase, matchTimeoutMilliseconds: 1000)]
    private static partial Regex Invisible();

    [GeneratedRegex("<a\\b[^>]*?href\\s*=\\s*[\"']([^\"']*)[\"'][^>]*>(.*?)</a\\s*>", RegexOptions.Singleline | RegexOptions.IgnoreCase, matchTimeoutMilliseconds: 1000)]
    private static partial Regex Link();

    [GeneratedRegex(@"<br\s*/?>", RegexOptions.IgnoreCase, matchTimeoutMilliseconds: 1000)]
    private static partial Regex LineBreak();

    [GeneratedRegex(@"</?(p|div|h[1-6]|tr|table|ul|ol|li|blockquote|section|header|footer)\b[^>]*>", RegexOptions.IgnoreCase, matchTimeoutMilliseconds: 1000)]
    private static partial Regex Block();

    [GeneratedRegex("<[^>]*>", RegexOptions.Singleline, matchTimeoutMilliseconds: 1000)]
    private static partial Regex Tag();

    [GeneratedRegex(@"[ \t\r\f\v]+", RegexOptions.None, matchTimeoutMilliseconds: 1000)]
    private static partial Regex Spaces();

    [GeneratedRegex(@"\n{3,}", RegexOptions.None, matchTimeoutMilliseconds: 1000)]
    private static partial Regex BlankLines();

    public static string Convert(string html)
    {
        var text = Invisible().Replace(html ?? string.Empty, string.Empty);
        text = Spaces().Replace(text.Replace("\r\n", "\n", StringComparison.Ordinal).Replace('\n', ' '), " ");
        text = Link().Replace(text, m =>
        {
            var url = WebUtility.HtmlDecode(m.Groups[1].Value).Trim();
            var label = Tag().Replace(m.Groups[2].Value, string.Empty).Trim();
            return label.Length == 0 || WebUtility.HtmlDecode(label) == url ? url : $"{label} ({url})";
        });
        text = LineBreak().Replace(text, "\n");
        text = Block().Replace(text, m => m.Value.StartsWith("<li", StringComparison.OrdinalIgnoreCase) ? "\n- " : "\n\n");
        text = WebUtility.HtmlDecode(Tag().Replace(text, string.Empty));
        var lines = text.Split('\n').Select(l => Spaces().Replace(l.Replace('\u00a0', ' '), " ").Trim());
        return BlankLines().Replace(string.Join("\n", lines), "\n\n").Trim();
    }
}
