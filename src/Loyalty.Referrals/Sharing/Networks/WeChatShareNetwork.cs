namespace Loyalty.Referrals.Sharing.Networks;

/// <summary>WeChat has no share URL: the link is the page itself, shown as a QR code (<see cref="WeChatQrCode"/>) that a friend scans.</summary>
public sealed class WeChatShareNetwork : IShareNetwork
{
    /// <inheritdoc />
    public string Id => "wechat";

    /// <inheritdoc />
    public ShareLink Build(ShareContent content)
    {
        ArgumentNullException.ThrowIfNull(content);
        return new ShareLink(Id, content.Url, ShareLinkKind.QrCode);
    }
}
