namespace Loyalty.Referrals.Sharing.Networks;

/// <summary>X (Twitter): the post intent, the text trimmed so that text and URL (counted as 23) fit 280.</summary>
public sealed class XShareNetwork : IShareNetwork
{
    /// <inheritdoc />
    public string Id => "x";

    /// <inheritdoc />
    public ShareLink Build(ShareContent content)
    {
        ArgumentNullException.ThrowIfNull(content);
        return new ShareLink(Id, ShareUrl.Create("https://x.com/intent/post", ("text", XPostLength.FitWithUrl(content.Text)), ("url", content.Url.AbsoluteUri)), ShareLinkKind.Web);
    }
}
