using System.Text.Encodings.Web;

namespace Loyalty.Email.Templates.Liquid;

/// <summary>
/// The encoder of <c>{{ }}</c> output in HTML bodies and layouts: the five characters that end a text node or a quoted
/// attribute (<c>&amp; &lt; &gt; " '</c>) and nothing else.
/// </summary>
/// <remarks>
/// .NET's <see cref="HtmlEncoder"/> also escapes <c>+</c>, every character outside its allowed ranges and every
/// character outside the Basic Multilingual Plane, so Chinese and Thai names and an emoji would reach the mail as
/// numeric references. Mail clients read UTF-8; these five are what keeps a value from becoming markup.
/// </remarks>
internal sealed class MailHtmlEncoder : HtmlEncoder
{
    public static MailHtmlEncoder Instance { get; } = new();

    private MailHtmlEncoder()
    {
    }

    public override int MaxOutputCharactersPerInputCharacter => 5; // "&amp;"

    public override unsafe int FindFirstCharacterToEncode(char* text, int textLength) => new ReadOnlySpan<char>(text, textLength).IndexOfAny("&<>\"'");

    public override unsafe bool TryEncodeUnicodeScalar(int unicodeScalar, char* buffer, int bufferLength, out int numberOfCharactersWritten)
    {
        var destination = new Span<char>(buffer, bufferLength);
        var replacement = unicodeScalar switch { '&' => "&amp;", '<' => "&lt;", '>' => "&gt;", '"' => "&quot;", '\'' => "&#39;", _ => null };
        if (replacement is null)
        {
            return new System.Text.Rune(unicodeScalar).TryEncodeToUtf16(destination, out numberOfCharactersWritten);
        }

        var written = replacement.AsSpan().TryCopyTo(destination);
        numberOfCharactersWritten = written ? replacement.Length : 0;
        return written;
    }

    public override bool WillEncode(int unicodeScalar) => unicodeScalar is '&' or '<' or '>' or '"' or '\'';
}
