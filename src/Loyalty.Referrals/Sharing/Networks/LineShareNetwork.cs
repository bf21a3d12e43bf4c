namespace Loyalty.Referrals.Sharing.Networks;

/// <summary>LINE (Taiwan, Thailand, Japan): the LINE It share page with URL and text.</summary>
public sealed class LineShareNetwork : IShareNetwork
{
    /// <inheritdoc />
    public string Id => "line";

    /// <inheritdoc />
    public ShareLink Build(ShareContent content)
    {
        ArgumentNullException.ThrowIfNull(content);
        return new ShareLink(Id, ShareUrl.Create("https://social-plugins.line.me/lineit/share", ("url", content.Url.AbsoluteUri), ("text", content.Text)), ShareLinkKind.Web);
    }
}
