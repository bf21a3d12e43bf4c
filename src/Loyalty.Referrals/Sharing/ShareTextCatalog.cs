using Loyalty.DependencyInjection;
using Loyalty.Email.Templates;
using Microsoft.Extensions.Options;

namespace Loyalty.Referrals.Sharing;

/// <summary>The words that go with one share: the text networks post and a subject (e-mail subject, title).</summary>
/// <param name="Text">The share text, plain.</param>
/// <param name="Subject">The e-mail subject or title, one line.</param>
public sealed record ShareWords(string Text, string Subject);

/// <summary>
/// The localised words of share links, written as Liquid snippets that integrators edit like any template: the
/// templates <see cref="ReferralSnippet"/> and <see cref="ReviewSnippet"/> (<c>&lt;locale&gt;/html.liquid</c> is the
/// text — turned into plain text the way an e-mail's text part is, so <c>&lt;br&gt;</c> is a line break — or
/// <c>text.liquid</c> when present; <c>subject.liquid</c> is the e-mail subject). Shipped in a warm, personal voice
/// for en (<c>default</c>), zh-TW, zh-CN and th; a folder of the same name in the templates directory replaces them,
/// and they are checked at start-up with every template. Rendered by the e-mail engine in a fresh context per render.
/// </summary>
/// <remarks>
/// The snippets see <c>shop.name</c>, <c>shop.url</c>, <c>customer.first_name</c> (the advocate: the customer who
/// shares), <c>customer.locale</c>, <c>referral.code</c> and <c>referral.url</c> (the landing URL) and, for a review,
/// <c>review.product_name</c> and <c>review.url</c>. Chinese locales other than zh-TW and zh-CN are read as zh-TW
/// (Traditional: TW, HK, MO, Hant) or zh-CN (Simplified); no locale means the shop's default locale.
/// <see cref="ShareOptions.Texts"/> configured for the customer's locale win over the snippets.
/// </remarks>
public sealed class ShareTextCatalog
{
    /// <summary>The template of referral share words.</summary>
    public const string ReferralSnippet = "share-referral";

    /// <summary>The template of review share words.</summary>
    public const string ReviewSnippet = "share-review";

    private readonly IEmailTemplateRenderer _renderer;
    private readonly ShareOptions _options;
    private readonly LoyaltyShopOptions _shop;

    /// <summary>Created by DI.</summary>
    public ShareTextCatalog(IEmailTemplateRenderer renderer, IOptions<ReferralOptions> options, IOptions<LoyaltyShopOptions> shop)
    {
        ArgumentNullException.ThrowIfNull(renderer);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(shop);
        _renderer = renderer;
        _options = options.Value.Sharing;
        _shop = shop.Value;
    }

    /// <summary>The words of a referral share.</summary>
    public ShareWords ForReferral(ReferralShareRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var locale = SnippetLocale(request.Locale);
        var model = Model(locale, request.AdvocateFirstName);
        model["referral"] = new Dictionary<string, object?> { ["code"] = request.Code, ["url"] = request.LandingUrl.AbsoluteUri };
        var words = Render(ReferralSnippet, locale, model);
        var configured = Configured(locale);
        return new ShareWords(
            Pick(configured, t => t.Referral) is { } text ? Fill(text) : words.Text,
            Pick(configured, t => t.EmailSubject) is { } subject ? Fill(subject) : words.Subject);
    }

    /// <summary>The words of a review share.</summary>
    public ShareWords ForReview(Uri reviewUrl, string? productName, string? locale, string? advocateFirstName = null)
    {
        ArgumentNullException.ThrowIfNull(reviewUrl);
        var snippetLocale = SnippetLocale(locale);
        var model = Model(snippetLocale, advocateFirstName);
        model["review"] = new Dictionary<string, object?> { ["product_name"] = productName, ["url"] = reviewUrl.AbsoluteUri };
        var words = Render(ReviewSnippet, snippetLocale, model);
        return Pick(Configured(snippetLocale), t => t.Review) is { } text ? new ShareWords(Fill(text, productName), Fill(text, productName)) : words;
    }

    /// <summary>Replaces <c>{shop}</c> and <c>{product}</c> in a configured plain text.</summary>
    public string Fill(string template, string? product = null)
    {
        ArgumentNullException.ThrowIfNull(template);
        return template.Replace("{shop}", _shop.Name, StringComparison.Ordinal).Replace("{product}", product ?? "", StringComparison.Ordinal);
    }

    /// <summary>
    /// The locale a snippet is rendered in: the shop's default when none is given; Chinese read as zh-TW or zh-CN,
    /// the two Chinese locales shipped.
    /// </summary>
    internal string SnippetLocale(string? locale)
    {
        var value = string.IsNullOrWhiteSpace(locale) ? _shop.DefaultLocale : locale.Trim().Replace('_', '-');
        if (!value.StartsWith("zh", StringComparison.OrdinalIgnoreCase)
            || value.StartsWith("zh-TW", StringComparison.OrdinalIgnoreCase) || value.StartsWith("zh-CN", StringComparison.OrdinalIgnoreCase))
        {
            return value;
        }

        var traditional = value.Contains("TW", StringComparison.OrdinalIgnoreCase) || value.Contains("HK", StringComparison.OrdinalIgnoreCase)
            || value.Contains("MO", StringComparison.OrdinalIgnoreCase) || value.Contains("Hant", StringComparison.OrdinalIgnoreCase);
        return traditional ? "zh-TW" : "zh-CN";
    }

    private Dictionary<string, object?> Model(string locale, string? firstName) => new(StringComparer.Ordinal)
    {
        ["shop"] = new Dictionary<string, object?> { ["name"] = _shop.Name, ["url"] = _shop.BaseUrl.ToString() },
        ["customer"] = new Dictionary<string, object?> { ["first_name"] = firstName, ["locale"] = locale },
    };

    private ShareWords Render(string snippet, string locale, Dictionary<string, object?> root)
    {
        // A host that switched the shipped templates off and wrote no snippet still gets working links.
        if (!_renderer.Exists(snippet))
        {
            return new ShareWords("", _shop.Name);
        }

        var rendered = _renderer.Render(snippet, locale, new TemplateModel(root, _shop.DefaultTimeZone, locale));
        return new ShareWords(rendered.Text, rendered.Subject);
    }

    private List<ShareTexts> Configured(string locale)
    {
        var result = new List<ShareTexts>();
        if (_options.Texts.Count == 0)
        {
            return result;
        }

        // zh-Hant-TW → zh-Hant → zh: the configured texts follow the same chain as templates.
        for (var name = locale; name.Length > 0; name = name.LastIndexOf('-') is var dash and > 0 ? name[..dash] : "")
        {
            if (_options.Texts.TryGetValue(name, out var texts))
            {
                result.Add(texts);
            }
        }

        return result;
    }

    private static string? Pick(List<ShareTexts> chain, Func<ShareTexts, string?> field) =>
        chain.Select(field).FirstOrDefault(t => !string.IsNullOrWhiteSpace(t));
}
