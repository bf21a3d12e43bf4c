namespace Loyalty.Referrals.Sharing.Networks;

/// <summary>LinkedIn: share-offsite takes only the URL (the text comes from the page's Open Graph tags).</summary>
public sealed class LinkedInShareNetwork : IShareNetwork
{
    /// <inheritdoc />
    public string Id => "linkedin";

    /// <inheritdoc />
    public ShareLink Build(ShareContent content)
    {
        ArgumentNullException.ThrowIfNull(content);
        return new ShareLink(Id, ShareUrl.Create("https://www.linkedin.com/sharing/share-offsite/", ("url", content.Url.AbsoluteUri)), ShareLinkKind.Web);
    }
}
