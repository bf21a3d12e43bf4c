using Loyalty.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Loyalty.Referrals.Sharing;

/// <summary>
/// The localised words of share links: built-in texts for en, zh-TW, zh-CN and th in a warm, personal voice, replaced
/// or extended by <see cref="ShareOptions.Texts"/>. Looked up zh-TW → zh → the shop's default → en.
/// </summary>
public sealed class ShareTextCatalog
{
    private static readonly Dictionary<string, ShareTexts> BuiltIn = new(StringComparer.OrdinalIgnoreCase)
    {
        ["en"] = new() { Referral = "I really like {shop} and thought you might too — here's a welcome gift for your first order.", Review = "I just reviewed {product} at {shop}. Have a look!", EmailSubject = "A welcome gift from me at {shop}" },
        ["zh-TW"] = new() { Referral = "我很喜歡 {shop}，覺得你也會喜歡 — 這是你第一筆訂單的見面禮。", Review = "我剛在 {shop} 評價了 {product}，來看看吧！", EmailSubject = "送你一份 {shop} 的見面禮" },
        ["zh-CN"] = new() { Referral = "我很喜欢 {shop}，觉得你也会喜欢 — 这是你第一笔订单的见面礼。", Review = "我刚在 {shop} 评价了 {product}，来看看吧！", EmailSubject = "送你一份 {shop} 的见面礼" },
        ["th"] = new() { Referral = "ฉันชอบ {shop} มาก และคิดว่าคุณก็น่าจะชอบ — นี่คือของขวัญต้อนรับสำหรับคำสั่งซื้อแรกของคุณ", Review = "ฉันเพิ่งรีวิว {product} ที่ {shop} ลองไปดูกันนะ!", EmailSubject = "ของขวัญต้อนรับจากฉันที่ {shop}" },
    };

    private readonly ShareOptions _options;
    private readonly LoyaltyShopOptions _shop;

    /// <summary>Created by DI.</summary>
    public ShareTextCatalog(IOptions<ReferralOptions> options, IOptions<LoyaltyShopOptions> shop)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(shop);
        _options = options.Value.Sharing;
        _shop = shop.Value;
    }

    /// <summary>The texts for <paramref name="locale"/>, each field falling back independently.</summary>
    public ShareTexts For(string? locale)
    {
        var chain = Chain(locale);
        string Pick(Func<ShareTexts, string?> field) => chain.Select(field).FirstOrDefault(t => !string.IsNullOrWhiteSpace(t)) ?? "";
        return new ShareTexts { Referral = Pick(t => t.Referral), Review = Pick(t => t.Review), EmailSubject = Pick(t => t.EmailSubject) };
    }

    /// <summary>Replaces <c>{shop}</c> and <c>{product}</c> in <paramref name="template"/>.</summary>
    public string Fill(string template, string? product = null)
    {
        ArgumentNullException.ThrowIfNull(template);
        return template.Replace("{shop}", _shop.Name, StringComparison.Ordinal).Replace("{product}", product ?? "", StringComparison.Ordinal);
    }

    private List<ShareTexts> Chain(string? locale)
    {
        var names = new List<string>();
        if (!string.IsNullOrWhiteSpace(locale))
        {
            names.Add(locale);
            // th-TH → th; zh-Hant-TW → zh-Hant → zh.
            for (var dash = locale.LastIndexOf('-'); dash > 0; dash = locale.LastIndexOf('-', dash - 1))
            {
                names.Add(locale[..dash]);
            }

            if (locale.StartsWith("zh", StringComparison.OrdinalIgnoreCase))
            {
                var traditional = locale.Contains("TW", StringComparison.OrdinalIgnoreCase) || locale.Contains("HK", StringComparison.OrdinalIgnoreCase) || locale.Contains("Hant", StringComparison.OrdinalIgnoreCase);
                names.Add(traditional ? "zh-TW" : "zh-CN");
            }
        }

        names.Add(_shop.DefaultLocale);
        names.Add("en");
        var result = new List<ShareTexts>();
        foreach (var name in names)
        {
            if (_options.Texts.TryGetValue(name, out var configured))
            {
                result.Add(configured);
            }

            if (BuiltIn.TryGetValue(name, out var builtIn))
            {
                result.Add(builtIn);
            }
        }

        return result;
    }
}
