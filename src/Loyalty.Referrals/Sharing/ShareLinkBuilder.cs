using Microsoft.Extensions.Options;

namespace Loyalty.Referrals.Sharing;

/// <summary>
/// Builds every registered network's share link for a page: the page's URL gets the network's UTM parameters
/// (<c>utm_source</c> = network id, <c>utm_medium</c> = <c>referral</c>, <c>utm_campaign</c> configurable) and the
/// localised text. Used by templates (through <see cref="ReferralTemplateModelContributor"/>) and by the shop's own pages.
/// </summary>
public sealed class ShareLinkBuilder
{
    /// <summary>The <c>utm_medium</c> of every share link.</summary>
    public const string Medium = "referral";

    private readonly IReadOnlyList<IShareNetwork> _networks;
    private readonly ShareTextCatalog _texts;
    private readonly ShareOptions _options;

    /// <summary>Created by DI.</summary>
    public ShareLinkBuilder(IEnumerable<IShareNetwork> networks, ShareTextCatalog texts, IOptions<ReferralOptions> options)
    {
        ArgumentNullException.ThrowIfNull(networks);
        ArgumentNullException.ThrowIfNull(options);
        _networks = networks.GroupBy(n => n.Id, StringComparer.Ordinal).Select(g => g.Last()).ToList();
        _texts = texts;
        _options = options.Value.Sharing;
    }

    /// <summary>The networks, by id, in registration order.</summary>
    public IReadOnlyList<IShareNetwork> Networks => _networks;

    /// <summary>Share links of a referral landing URL, by network id.</summary>
    public IReadOnlyDictionary<string, ShareLink> ForReferral(Uri landingUrl, string? locale, Uri? imageUrl = null)
    {
        var texts = _texts.For(locale);
        return Build(landingUrl, _texts.Fill(texts.Referral!), _texts.Fill(texts.EmailSubject!), imageUrl, _options.Campaign);
    }

    /// <summary>Share links of a review's page, by network id.</summary>
    public IReadOnlyDictionary<string, ShareLink> ForReview(Uri reviewUrl, string? productName, string? locale, Uri? imageUrl = null)
    {
        var texts = _texts.For(locale);
        var text = _texts.Fill(texts.Review!, productName);
        return Build(reviewUrl, text, text, imageUrl, _options.ReviewCampaign);
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
