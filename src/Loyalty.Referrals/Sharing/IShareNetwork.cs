namespace Loyalty.Referrals.Sharing;

/// <summary>How a share link is used.</summary>
public enum ShareLinkKind
{
    /// <summary>An https link that opens the network's share dialog.</summary>
    Web,
    /// <summary>A <c>mailto:</c> URI (RFC 6068).</summary>
    Email,
    /// <summary>No share URL exists (WeChat): <see cref="ShareLink.Url"/> is the URL to show as a QR code.</summary>
    QrCode,
}

/// <summary>One network's share link.</summary>
/// <param name="Network">The network's id (<c>line</c>, <c>x</c>, <c>email</c> ...), also the <c>utm_source</c>.</param>
/// <param name="Url">The link to open (or, for <see cref="ShareLinkKind.QrCode"/>, the URL to encode).</param>
/// <param name="Kind">How it is used.</param>
public sealed record ShareLink(string Network, Uri Url, ShareLinkKind Kind);

/// <summary>What is shared, with the UTM parameters of one network already on <see cref="Url"/>.</summary>
/// <param name="Url">The page shared (the referral landing URL or a review page), with UTM parameters.</param>
/// <param name="Text">The localised text that goes with it.</param>
/// <param name="Subject">A title or e-mail subject.</param>
/// <param name="ImageUrl">An image (Pinterest needs one), if any.</param>
public sealed record ShareContent(Uri Url, string Text, string Subject, Uri? ImageUrl);

/// <summary>
/// A network a customer can share to. One file per network in <c>Sharing/Networks/</c>: adding a network is adding
/// a class and registering it (<c>services.TryAddEnumerable(ServiceDescriptor.Singleton&lt;IShareNetwork, MyNetwork&gt;())</c>).
/// </summary>
public interface IShareNetwork
{
    /// <summary>A short lower-case id, used as <c>utm_source</c> and as the template key (<c>referral.share.{id}</c>).</summary>
    string Id { get; }

    /// <summary>The share link for <paramref name="content"/>.</summary>
    ShareLink Build(ShareContent content);
}
