using System.Text;
using System.Text.Json;

namespace Loyalty.IntegrationTests.BadInput;

/// <summary>Reads corpora and checks raw messages as they arrived at the SMTP server.</summary>
internal static class WireCheck
{
    /// <summary>Big List of Naughty Strings (tests/corpora, minimaxir/big-list-of-naughty-strings, MIT).</summary>
    public static IReadOnlyList<string> NaughtyStrings()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "tests", "corpora", "naughty-strings.json");
            if (File.Exists(candidate))
            {
                return JsonSerializer.Deserialize<string[]>(File.ReadAllText(candidate))!;
            }
        }

        throw new FileNotFoundException($"tests/corpora/naughty-strings.json not found above {AppContext.BaseDirectory}.");
    }

    /// <summary>The message files the server stored, oldest first.</summary>
    public static IReadOnlyList<string> MessageFiles(string maildir) =>
        [.. Directory.GetFiles(maildir, "*.eml").Order(StringComparer.Ordinal)];

    /// <summary>
    /// Problems of the header section of <paramref name="raw"/>: a NUL anywhere, a CR without LF or an LF without CR,
    /// a line over 998 octets, or a line that is neither a header nor a folded continuation.
    /// </summary>
    public static IReadOnlyList<string> HeaderProblems(byte[] raw)
    {
        var problems = new List<string>();
        if (Array.IndexOf(raw, (byte)0) >= 0)
        {
            problems.Add("NUL byte in the message");
        }

        var end = IndexOf(raw, "\r\n\r\n"u8);
        if (end < 0)
        {
            problems.Add("no blank line after the header section");
            return problems;
        }

        var header = raw.AsSpan(0, end + 2);
        for (var i = 0; i < header.Length; i++)
        {
            if (header[i] == '\r' && (i + 1 >= header.Length || header[i + 1] != '\n'))
            {
                problems.Add($"bare CR at {i}");
            }

            if (header[i] == '\n' && (i == 0 || header[i - 1] != '\r'))
            {
                problems.Add($"bare LF at {i}");
            }
        }

        foreach (var line in Encoding.UTF8.GetString(header).Split("\r\n"))
        {
            if (line.Length == 0)
            {
                continue;
            }

            if (Encoding.UTF8.GetByteCount(line) > 998)
            {
                problems.Add("header line over 998 octets");
            }

            if (line[0] is not (' ' or '\t') && line.IndexOf(':', StringComparison.Ordinal) <= 0)
            {
                problems.Add("a line that is not a header: " + line[..Math.Min(line.Length, 80)]);
            }
        }

        return problems;
    }

    /// <summary>Names of the header fields in <paramref name="raw"/>, in order (folded continuations skipped).</summary>
    public static IReadOnlyList<string> HeaderNames(byte[] raw)
    {
        var end = IndexOf(raw, "\r\n\r\n"u8);
        var header = Encoding.UTF8.GetString(raw, 0, end < 0 ? raw.Length : end);
        return header.Split("\r\n")
            .Where(line => line.Length > 0 && line[0] is not (' ' or '\t'))
            .Select(line => line[..Math.Max(0, line.IndexOf(':', StringComparison.Ordinal))].ToLowerInvariant())
            .ToList();
    }

    /// <summary>
    /// True when a decoded header value holds a line break or NUL once folding (CRLF followed by white space, which
    /// MimeKit keeps in <see cref="MimeKit.Header.Value"/>) is undone.
    /// </summary>
    public static bool BreaksALine(string value)
    {
        var unfolded = value.Replace("\r\n ", " ", StringComparison.Ordinal).Replace("\r\n\t", "\t", StringComparison.Ordinal);
        return unfolded.AsSpan().IndexOfAny("\r\n\0") >= 0;
    }

    /// <summary>The HTML encoding the renderer applies: the five characters of HTML syntax.</summary>
    public static string HtmlEncoded(string value) =>
        value.Replace("&", "&amp;", StringComparison.Ordinal).Replace("<", "&lt;", StringComparison.Ordinal).Replace(">", "&gt;", StringComparison.Ordinal)
            .Replace("\"", "&quot;", StringComparison.Ordinal).Replace("'", "&#39;", StringComparison.Ordinal);

    /// <summary>Line breaks as one LF (MIME turns every line break into CRLF on the wire).</summary>
    public static string Lf(string value) => value.Replace("\r\n", "\n", StringComparison.Ordinal).Replace('\r', '\n');

    private static int IndexOf(ReadOnlySpan<byte> haystack, ReadOnlySpan<byte> needle) => haystack.IndexOf(needle);
}
