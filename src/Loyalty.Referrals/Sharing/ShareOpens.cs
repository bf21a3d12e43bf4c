using Loyalty.Referrals.Attribution;
using Loyalty.Referrals.Codes;
using Loyalty.Stores;

namespace Loyalty.Referrals.Sharing;

/// <summary>
/// Behind a tracked share link (<see cref="ShareLinkBuilder.TrackedForReferral"/>): counts the open for the advocate
/// who owns the code and the network, and says where to send the browser — the network's share URL that
/// <see cref="ShareLinkBuilder"/> builds, in the advocate's locale. Only networks the builder knows and codes that
/// exist (and are not disabled) lead anywhere, so the redirect is never an open one.
/// </summary>
public sealed class ShareOpens
{
    private readonly ReferralCodes _codes;
    private readonly ReferralVisits _visits;
    private readonly ShareLinkBuilder _links;
    private readonly ICustomerStore _customers;

    /// <summary>Created by DI (scoped).</summary>
    public ShareOpens(ReferralCodes codes, ReferralVisits visits, ShareLinkBuilder links, ICustomerStore customers)
    {
        _codes = codes;
        _visits = visits;
        _links = links;
        _customers = customers;
    }

    /// <summary>
    /// Records an open of <paramref name="network"/>'s share link of <paramref name="code"/> and returns the URL to
    /// redirect to (for WeChat, the QR code image of the landing URL); null, with nothing recorded, when the network
    /// or the code is unknown.
    /// </summary>
    public async Task<Uri?> OpenAsync(string? network, string? code, CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrEmpty(network) || network.Length > 40)
        {
            return null;
        }

        var id = network.ToLowerInvariant();
        if (!_links.Networks.Any(n => string.Equals(n.Id, id, StringComparison.Ordinal)))
        {
            return null;
        }

        var found = await _codes.ResolveAsync(code, cancellationToken).ConfigureAwait(false);
        if (found is null)
        {
            return null;
        }

        var advocate = await _customers.FindByIdAsync(found.CustomerId, cancellationToken).ConfigureAwait(false);
        var landing = _codes.LandingUrl(found.Code);
        var link = _links.ForReferral(new ReferralShareRequest(landing) { Code = found.Code, Locale = advocate?.Locale, AdvocateFirstName = advocate?.FirstName })[id];
        await _visits.RecordShareOpenedAsync(found.CustomerId, id, "referral", cancellationToken).ConfigureAwait(false);
        return link.Kind == ShareLinkKind.QrCode ? ShareLinkBuilder.WeChatQrImageUrl(landing) : link.Url;
    }
}
