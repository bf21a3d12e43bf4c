using System.Text;

namespace Loyalty.Referrals.Sharing.Networks;

/// <summary>
/// E-mail: a <c>mailto:</c> URI per RFC 6068 with no recipient (the customer picks the friend), the subject and a body
/// of text and URL. Every character outside the unreserved set is percent-encoded as UTF-8 (§2: spaces as %20, never
/// '+'), and line breaks are CRLF (%0D%0A, §5).
/// </summary>
public sealed class EmailShareNetwork : IShareNetwork
{
    /// <inheritdoc />
    public string Id => "email";

    /// <inheritdoc />
    public ShareLink Build(ShareContent content)
    {
        ArgumentNullException.ThrowIfNull(content);
        var body = content.Text + "\n\n" + content.Url.AbsoluteUri;
        var uri = new StringBuilder("mailto:?subject=")
            .Append(Encode(content.Subject))
            .Append("&body=")
            .Append(Encode(body))
            .ToString();
        return new ShareLink(Id, new Uri(uri, UriKind.Absolute), ShareLinkKind.Email);
    }

    private static string Encode(string value) =>
        Uri.EscapeDataString(value.ReplaceLineEndings("\r\n"));
}
