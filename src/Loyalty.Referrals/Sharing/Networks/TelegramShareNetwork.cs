namespace Loyalty.Referrals.Sharing.Networks;

/// <summary>Telegram: the share dialog with URL and text.</summary>
public sealed class TelegramShareNetwork : IShareNetwork
{
    /// <inheritdoc />
    public string Id => "telegram";

    /// <inheritdoc />
    public ShareLink Build(ShareContent content)
    {
        ArgumentNullException.ThrowIfNull(content);
        return new ShareLink(Id, ShareUrl.Create("https://t.me/share/url", ("url", content.Url.AbsoluteUri), ("text", content.Text)), ShareLinkKind.Web);
    }
}
