namespace Loyalty.Referrals.Sharing.Networks;

/// <summary>WhatsApp: the click-to-chat link with the text and URL as one message.</summary>
public sealed class WhatsAppShareNetwork : IShareNetwork
{
    /// <inheritdoc />
    public string Id => "whatsapp";

    /// <inheritdoc />
    public ShareLink Build(ShareContent content)
    {
        ArgumentNullException.ThrowIfNull(content);
        return new ShareLink(Id, ShareUrl.Create("https://wa.me/", ("text", content.Text + " " + content.Url.AbsoluteUri)), ShareLinkKind.Web);
    }
}
