namespace Loyalty.Referrals.Sharing.Networks;

/// <summary>Facebook: the sharer dialog takes only the URL (the text comes from the page's Open Graph tags).</summary>
public sealed class FacebookShareNetwork : IShareNetwork
{
    /// <inheritdoc />
    public string Id => "facebook";

    /// <inheritdoc />
    public ShareLink Build(ShareContent content)
    {
        ArgumentNullException.ThrowIfNull(content);
        return new ShareLink(Id, ShareUrl.Create("https://www.facebook.com/sharer/sharer.php", ("u", content.Url.AbsoluteUri)), ShareLinkKind.Web);
    }
}
