using Loyalty.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Loyalty.Referrals.Sharing;

/// <summary>
/// Builds every registered network's share link for a page: the page's URL gets the network's UTM parameters
/// (<c>utm_source</c> = network id, <c>utm_medium</c> = <c>referral</c>, <c>utm_campaign</c> configurable) and the
/// localised words (the Liquid snippets of <see cref="ShareTextCatalog"/>). Used by templates (through
/// <see cref="ReferralTemplateModelContributor"/>) and by the shop's own pages. <see cref="TrackedForReferral"/> gives
/// links that count an open before they go to the network.
/// </summary>
public sealed class ShareLinkBuilder
{
    /// <summary>The <c>utm_medium</c> of every share link.</summary>
    public const string Medium = "referral";

    private readonly IReadOnlyList<IShareNetwork> _networks;
    private readonly ShareTextCatalog _texts;
    private readonly ShareOptions _options;
    private readonly LoyaltyShopOptions _shop;
    private readonly Dictionary<string, ShareLinkKind> _kinds;

    /// <summary>Created by DI.</summary>
    public ShareLinkBuilder(IEnumerable<IShareNetwork> networks, ShareTextCatalog texts, IOptions<ReferralOptions> options, IOptions<LoyaltyShopOptions> shop)
    {
        ArgumentNullException.ThrowIfNull(networks);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(shop);
        _networks = networks.GroupBy(n => n.Id, StringComparer.Ordinal).Select(g => g.Last()).ToList();
        _texts = texts;
        _options = options.Value.Sharing;
        _shop = shop.Value;
        // A network's kind does not depend on what is shared: learnt once from a placeholder.
        var placeholder = new ShareContent(new Uri("https://placeholder.invalid/"), "", "", null);
        _kinds = _networks.ToDictionary(n => n.Id, n => n.Build(placeholder).Kind, StringComparer.Ordinal);
    }

    /// <summary>The networks, by id, in registration order.</summary>
    public IReadOnlyList<IShareNetwork> Networks => _networks;

    /// <summary>Share links of a referral landing URL, by network id.</summary>
    public IReadOnlyDictionary<string, ShareLink> ForReferral(Uri landingUrl, string? locale, Uri? imageUrl = null) =>
        ForReferral(new ReferralShareRequest(landingUrl) { Locale = locale, ImageUrl = imageUrl });

    /// <summary>Share links of an advocate's referral landing URL, by network id: each goes straight to the network.</summary>
    public IReadOnlyDictionary<string, ShareLink> ForReferral(ReferralShareRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var words = _texts.ForReferral(request);
        return Build(request.LandingUrl, words.Text, words.Subject, request.ImageUrl, _options.Campaign);
    }

    /// <summary>
    /// Tracked share links of an advocate's code, by network id: <c>{Shop.BaseUrl}/{Sharing:OpenPath}/{network}/{code}</c>,
    /// served by the endpoint <c>MapLoyalty()</c> maps, which counts a share-link open for the advocate and network and
    /// redirects (302) to the link <see cref="ForReferral(ReferralShareRequest)"/> builds. Every tracked link is one
    /// to open: WeChat's (<see cref="ShareLinkKind.Web"/> here) opens the QR code image of the landing URL.
    /// </summary>
    public IReadOnlyDictionary<string, ShareLink> TrackedForReferral(string code)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(code);
        var result = new Dictionary<string, ShareLink>(StringComparer.Ordinal);
        foreach (var network in _networks)
        {
            var kind = _kinds[network.Id] == ShareLinkKind.QrCode ? ShareLinkKind.Web : _kinds[network.Id];
            result[network.Id] = new ShareLink(network.Id, OpenUrl(network.Id, code), kind);
        }

        return result;
    }

    /// <summary>The tracked link of one network and code (see <see cref="TrackedForReferral"/>).</summary>
    public Uri OpenUrl(string networkId, string code)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(networkId);
        ArgumentException.ThrowIfNullOrWhiteSpace(code);
        return new Uri(_shop.BaseUrl, $"{_options.OpenPath.Trim('/')}/{Uri.EscapeDataString(networkId)}/{Uri.EscapeDataString(code)}");
    }

    /// <summary>The URL of the WeChat QR code image of a landing URL (served next to the landing: <c>/r/{code}/wechat-qr.png</c>).</summary>
    public static Uri WeChatQrImageUrl(Uri landingUrl)
    {
        ArgumentNullException.ThrowIfNull(landingUrl);
        return new Uri(landingUrl.GetLeftPart(UriPartial.Path).TrimEnd('/') + "/wechat-qr.png");
    }

    /// <summary>Share links of a review's page, by network id.</summary>
    public IReadOnlyDictionary<string, ShareLink> ForReview(Uri reviewUrl, string? productName, string? locale, Uri? imageUrl = null, string? advocateFirstName = null)
    {
        ArgumentNullException.ThrowIfNull(reviewUrl);
        var words = _texts.ForReview(reviewUrl, productName, locale, advocateFirstName);
        return Build(reviewUrl, words.Text, words.Subject, imageUrl, _options.ReviewCampaign);
    }

    /// <summary>Share links of any page with the given words, by network id.</summary>
    public IReadOnlyDictionary<string, ShareLink> Build(Uri url, string text, string subject, Uri? imageUrl, string campaign)
    {
        ArgumentNullException.ThrowIfNull(url);
        if (!url.IsAbsoluteUri)
        {
            throw new ArgumentException("The shared URL must be absolute.", nameof(url));
        }

        var result = new Dictionary<string, ShareLink>(StringComparer.Ordinal);
        foreach (var network in _networks)
        {
            var tracked = ShareUrl.WithUtm(url, network.Id, Medium, campaign);
            result[network.Id] = network.Build(new ShareContent(tracked, text, subject, imageUrl));
        }

        return result;
    }
}
