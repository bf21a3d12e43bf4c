namespace Loyalty.Referrals.Sharing.Networks;

/// <summary>Reddit: the submit page with URL and title.</summary>
public sealed class RedditShareNetwork : IShareNetwork
{
    /// <inheritdoc />
    public string Id => "reddit";

    /// <inheritdoc />
    public ShareLink Build(ShareContent content)
    {
        ArgumentNullException.ThrowIfNull(content);
        return new ShareLink(Id, ShareUrl.Create("https://www.reddit.com/submit", ("url", content.Url.AbsoluteUri), ("title", content.Subject)), ShareLinkKind.Web);
    }
}
