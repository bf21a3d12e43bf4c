using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Loyalty.Abstractions.Tests.BadInput;

/// <summary>The public corpora in tests/corpora, copied next to the test assembly by the project file.</summary>
internal static class Corpus
{
    /// <summary>Big List of Naughty Strings (minimaxir/big-list-of-naughty-strings, MIT).</summary>
    public static IReadOnlyList<string> NaughtyStrings() =>
        JsonSerializer.Deserialize<string[]>(File.ReadAllText(PathOf("naughty-strings.json")))!;

    /// <summary>
    /// isemail's test addresses with their diagnosis (skeggse/isemail, BSD-3-Clause). Some hold lone surrogates
    /// (<c>\ud800</c>), which System.Text.Json refuses to turn into strings, so the strings are unescaped here.
    /// </summary>
    public static IReadOnlyList<(string Address, string Diagnosis)> IsEmailTests()
    {
        var bytes = File.ReadAllBytes(PathOf("isemail-tests.json"));
        var reader = new Utf8JsonReader(bytes);
        var values = new List<string>();
        while (reader.Read())
        {
            if (reader.TokenType == JsonTokenType.String)
            {
                values.Add(Unescape(Encoding.UTF8.GetString(reader.ValueSpan)));
            }
        }

        return values.Chunk(2).Select(pair => (pair[0], pair[1])).ToList();
    }

    private static string Unescape(string raw)
    {
        var builder = new StringBuilder(raw.Length);
        for (var i = 0; i < raw.Length; i++)
        {
            var c = raw[i];
            if (c != '\\')
            {
                builder.Append(c);
                continue;
            }

            var e = raw[++i];
            if (e == 'u')
            {
                builder.Append((char)int.Parse(raw.AsSpan(i + 1, 4), NumberStyles.HexNumber, CultureInfo.InvariantCulture));
                i += 4;
                continue;
            }

            builder.Append(e switch { 'b' => '\b', 'f' => '\f', 'n' => '\n', 'r' => '\r', 't' => '\t', _ => e });
        }

        return builder.ToString();
    }

    private static string PathOf(string file) => Path.Combine(AppContext.BaseDirectory, "corpora", file);
}
