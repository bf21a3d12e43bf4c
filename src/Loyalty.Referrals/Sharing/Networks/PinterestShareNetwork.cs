namespace Loyalty.Referrals.Sharing.Networks;

/// <summary>Pinterest: the pin dialog with URL, description and the image to pin (when the shop has one).</summary>
public sealed class PinterestShareNetwork : IShareNetwork
{
    /// <inheritdoc />
    public string Id => "pinterest";

    /// <inheritdoc />
    public ShareLink Build(ShareContent content)
    {
        ArgumentNullException.ThrowIfNull(content);
        return new ShareLink(Id, ShareUrl.Create("https://www.pinterest.com/pin/create/button/", ("url", content.Url.AbsoluteUri), ("description", content.Text), ("media", content.ImageUrl?.AbsoluteUri)), ShareLinkKind.Web);
    }
}
