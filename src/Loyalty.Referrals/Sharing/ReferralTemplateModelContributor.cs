using Loyalty.Email.Composition;
using Loyalty.Events;
using Loyalty.Referrals.Codes;
using Loyalty.Referrals.Reviews;
using Loyalty.Stores;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Loyalty.Referrals.Sharing;

/// <summary>
/// Adds the programme to every template model:
/// <c>referral.code</c>, <c>referral.url</c>, <c>referral.share.{network}</c> (facebook, x, linkedin, whatsapp,
/// telegram, line, weibo, pinterest, reddit, email, wechat: tracked links that count the open, unless
/// <see cref="ShareOptions.TrackOpens"/> is false), <c>referral.wechat_qr_url</c>;
/// for a review prompt <c>review.products</c> (each <c>name</c>, <c>sku</c>, <c>url</c>, <c>stars</c>: five
/// <c>{rating, url}</c>, 1 star first); for a review with a page <c>review.share.{network}</c>.
/// </summary>
/// <remarks>
/// <see cref="ITemplateModelContributor"/> is synchronous, so the store reads here block on their tasks; they are
/// single-row reads. (Asked of the email engine: an asynchronous contributor.)
/// </remarks>
public sealed class ReferralTemplateModelContributor : ITemplateModelContributor
{
    private readonly IServiceScopeFactory _scopes;
    private readonly ShareLinkBuilder _share;
    private readonly ReferralOptions _options;

    /// <summary>Created by DI (singleton: the model factory is one).</summary>
    public ReferralTemplateModelContributor(IServiceScopeFactory scopes, ShareLinkBuilder share, IOptions<ReferralOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _scopes = scopes;
        _share = share;
        _options = options.Value;
    }

    /// <summary>
    /// Declares what this contributor adds to the model, for template validation (<c>referral.*</c>, <c>review.share</c>,
    /// <c>review.products[]</c>). Share networks are open: a host can add its own <see cref="IShareNetwork"/>.
    /// </summary>
    public static void DeclareShape(Loyalty.Email.Templates.TemplateModelShape shape)
    {
        ArgumentNullException.ThrowIfNull(shape);
        shape.Declare("referral.code", "referral.url", "referral.share.*", "referral.wechat_qr_url");
        shape.Declare("review.share.*", "review.order_id", "review.products[].name", "review.products[].sku", "review.products[].url",
            "review.products[].stars[].rating", "review.products[].stars[].url");
    }

    /// <inheritdoc />
    public void Contribute(IDictionary<string, object?> root, LoyaltyEvent triggerEvent, LoyaltyCustomer? customer)
        => Contribute(root, triggerEvent, customer, TemplateModelPurpose.Render);

    /// <inheritdoc />
    public void Contribute(IDictionary<string, object?> root, LoyaltyEvent triggerEvent, LoyaltyCustomer? customer, TemplateModelPurpose purpose)
    {
        ArgumentNullException.ThrowIfNull(root);
        ArgumentNullException.ThrowIfNull(triggerEvent);
        ContributeAsync(root, triggerEvent, customer, purpose, CancellationToken.None).GetAwaiter().GetResult();
    }

    /// <summary>The asynchronous form of <see cref="Contribute(IDictionary{string, object?}, LoyaltyEvent, LoyaltyCustomer?)"/>, for callers that can await.</summary>
    public Task ContributeAsync(IDictionary<string, object?> root, LoyaltyEvent triggerEvent, LoyaltyCustomer? customer, CancellationToken cancellationToken)
        => ContributeAsync(root, triggerEvent, customer, TemplateModelPurpose.Render, cancellationToken);

    /// <summary>
    /// The asynchronous form of <see cref="Contribute(IDictionary{string, object?}, LoyaltyEvent, LoyaltyCustomer?, TemplateModelPurpose)"/>.
    /// For <see cref="TemplateModelPurpose.Planning"/> a customer without a code gets none (no <c>referral</c> root):
    /// intake may plan inside the shop's open transaction, and creating the code through this contributor's own
    /// connection would wait for that transaction (on SQLite until its busy timeout). The code is made when a message
    /// is rendered.
    /// </summary>
    public async Task ContributeAsync(IDictionary<string, object?> root, LoyaltyEvent triggerEvent, LoyaltyCustomer? customer, TemplateModelPurpose purpose, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(root);
        ArgumentNullException.ThrowIfNull(triggerEvent);
        await using var scope = _scopes.CreateAsyncScope();
        var services = scope.ServiceProvider;
        var locale = customer?.Locale ?? triggerEvent.Customer?.Locale;
        var codes = services.GetRequiredService<ReferralCodes>();
        var code = purpose == TemplateModelPurpose.Planning
            ? await codes.FindAsync(triggerEvent.CustomerId, cancellationToken).ConfigureAwait(false)
            : await codes.GetOrCreateAsync(triggerEvent.CustomerId, cancellationToken).ConfigureAwait(false);
        var firstName = customer?.FirstName ?? triggerEvent.Customer?.FirstName;
        if (code is not null)
        {
            var landing = codes.LandingUrl(code.Code);
            var share = _options.Sharing.TrackOpens
                ? _share.TrackedForReferral(code.Code)
                : _share.ForReferral(new ReferralShareRequest(landing) { Code = code.Code, Locale = locale, AdvocateFirstName = firstName });
            root["referral"] = new Dictionary<string, object?>
            {
                ["code"] = code.Code,
                ["url"] = landing.AbsoluteUri,
                ["share"] = Links(share),
                ["wechat_qr_url"] = ShareLinkBuilder.WeChatQrImageUrl(landing).AbsoluteUri,
            };
        }

        var review = root.TryGetValue("review", out var existing) && existing is Dictionary<string, object?> d ? d : null;
        if (triggerEvent is ReviewSubmitted { ReviewUrl: { Length: > 0 } reviewUrl } submitted && Uri.TryCreate(reviewUrl, UriKind.Absolute, out var page))
        {
            review ??= [];
            review["share"] = Links(_share.ForReview(page, submitted.ProductName, locale, advocateFirstName: firstName));
            root["review"] = review;
        }

        if (ReviewFlows.OrderIdOf(triggerEvent) is { } orderId)
        {
            var store = services.GetRequiredService<IReviewStore>();
            var links = services.GetRequiredService<ReviewLinks>();
            var request = await store.FindRequestAsync(triggerEvent.CustomerId, orderId, cancellationToken).ConfigureAwait(false);
            var reviewed = await store.GetReviewedSkusAsync(triggerEvent.CustomerId, cancellationToken).ConfigureAwait(false);
            var products = (request?.Products ?? []).Where(p => !reviewed.Contains(p.Sku)).Select(p => (object?)new Dictionary<string, object?>
            {
                ["name"] = p.Name,
                ["sku"] = p.Sku,
                ["url"] = p.Url,
                ["stars"] = links.Stars(triggerEvent.CustomerId, orderId, p.Sku)
                    .Select((u, i) => (object?)new Dictionary<string, object?> { ["rating"] = i + 1, ["url"] = u.AbsoluteUri }).ToList(),
            }).ToList();
            review ??= [];
            review["order_id"] = orderId;
            review["products"] = products;
            root["review"] = review;
        }
    }

    private static Dictionary<string, object?> Links(IReadOnlyDictionary<string, ShareLink> links) =>
        links.ToDictionary(l => l.Key, l => (object?)l.Value.Url.AbsoluteUri, StringComparer.Ordinal);
}
