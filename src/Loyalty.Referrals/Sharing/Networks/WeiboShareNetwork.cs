namespace Loyalty.Referrals.Sharing.Networks;

/// <summary>Sina Weibo (mainland China): the share page with URL, text and an optional picture.</summary>
public sealed class WeiboShareNetwork : IShareNetwork
{
    /// <inheritdoc />
    public string Id => "weibo";

    /// <inheritdoc />
    public ShareLink Build(ShareContent content)
    {
        ArgumentNullException.ThrowIfNull(content);
        return new ShareLink(Id, ShareUrl.Create("https://service.weibo.com/share/share.php", ("url", content.Url.AbsoluteUri), ("title", content.Text), ("pic", content.ImageUrl?.AbsoluteUri)), ShareLinkKind.Web);
    }
}
