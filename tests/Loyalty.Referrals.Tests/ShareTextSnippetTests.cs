using Loyalty.Email.Templates;
using Loyalty.Referrals.Sharing;
using Microsoft.Extensions.DependencyInjection;

namespace Loyalty.Referrals.Tests;

public sealed class ShareTextSnippetTests : IDisposable
{
    private static readonly Uri Landing = new("https://shop.example/r/MEI7TEA");
    private readonly string _templates = Directory.CreateTempSubdirectory("loyalty-share-snippets-").FullName;

    public void Dispose() => Directory.Delete(_templates, recursive: true);

    private void Write(string relative, string text)
    {
        var path = Path.Combine(_templates, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
    }

    private ReferralHarness WithTemplates(Action<ReferralOptions>? configure = null) =>
        new(configure, configureServices: s => s.Configure<TemplateOptions>(o => o.TemplatesPath = _templates));

    private static string QueryValue(ShareLink link, string name) =>
        Uri.UnescapeDataString(link.Url.Query.TrimStart('?').Split('&').Single(p => p.StartsWith(name + "=", StringComparison.Ordinal))[(name.Length + 1)..]);

    private static ReferralShareRequest Mei(string locale) => new(Landing) { Code = "MEI7TEA", Locale = locale, AdvocateFirstName = "Mei & <Li>" };

    [Fact]
    public async Task A_snippet_in_the_templates_folder_replaces_the_shipped_words_and_sees_advocate_code_landing_url_and_shop()
    {
        Write("share-referral/template.json", "{ \"category\": \"transactional\", \"layout\": null }");
        Write("share-referral/default/subject.liquid", "{{ customer.first_name }} invites you to {{ shop.name }}");
        Write("share-referral/default/html.liquid", "{{ customer.first_name }} says: try {{ shop.name }} with code {{ referral.code }}<br>{{ referral.url }}");
        await using var harness = WithTemplates();

        var links = harness.Get<ShareLinkBuilder>().ForReferral(Mei("zh-TW"));

        // The folder replaces every shipped locale, so a zh-TW advocate gets the folder's default.
        QueryValue(links["telegram"], "text").Should().Be("Mei & <Li> says: try Tea House with code MEI7TEA\nhttps://shop.example/r/MEI7TEA");
        var mail = Uri.UnescapeDataString(links["email"].Url.OriginalString);
        mail.Should().StartWith("mailto:?subject=Mei & <Li> invites you to Tea House&body=Mei & <Li> says:");
    }

    [Fact]
    public async Task A_broken_snippet_stops_the_host_at_start_up_with_file_and_line()
    {
        Write("share-referral/default/subject.liquid", "hello");
        Write("share-referral/default/html.liquid", "Try {{ shop.name }\n{% if %}");
        await using var harness = WithTemplates();

        var start = () => harness.Get<ShareLinkBuilder>();

        start.Should().Throw<TemplateValidationException>().Which.Diagnostics.Should().Contain(d => d.File.StartsWith("share-referral/default/html.liquid", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Every_render_starts_from_a_fresh_context()
    {
        Write("share-review/template.json", "{ \"category\": \"transactional\", \"layout\": null }");
        Write("share-review/default/subject.liquid", "s");
        Write("share-review/default/html.liquid", "{% assign n = n | plus: 1 %}review {{ n }} of {{ review.product_name }}");
        await using var harness = WithTemplates();
        var builder = harness.Get<ShareLinkBuilder>();
        var page = new Uri("https://shop.example/reviews/9");

        var first = QueryValue(builder.ForReview(page, "Oolong", "en")["telegram"], "text");
        var second = QueryValue(builder.ForReview(page, "Pu-erh", "en")["telegram"], "text");

        first.Should().Be("review 1 of Oolong");
        second.Should().Be("review 1 of Pu-erh");
    }

    [Theory]
    [InlineData("share-referral")]
    [InlineData("share-review")]
    public void The_snippets_ship_in_en_zh_TW_zh_CN_and_th_without_a_layout(string name)
    {
        var resources = typeof(ReferralProcessor).Assembly.GetManifestResourceNames();
        resources.Should().Contain($"LoyaltyTemplates/{name}/template.json");
        foreach (var locale in new[] { "default", "zh-TW", "zh-CN", "th" })
        {
            resources.Should().Contain($"LoyaltyTemplates/{name}/{locale}/subject.liquid").And.Contain($"LoyaltyTemplates/{name}/{locale}/html.liquid");
        }
    }

    [Theory]
    [InlineData("en", "I just reviewed Oolong at Tea House. Have a look!")]
    [InlineData("zh-TW", "我剛在 Tea House 評價了 Oolong，來看看吧！")]
    [InlineData("zh-CN", "我刚在 Tea House 评价了 Oolong，来看看吧！")]
    [InlineData("th", "ฉันเพิ่งรีวิว Oolong ที่ Tea House ลองไปดูกันนะ!")]
    public async Task The_shipped_review_snippet_is_localised(string locale, string text)
    {
        await using var harness = new ReferralHarness();
        var link = harness.Get<ShareLinkBuilder>().ForReview(new Uri("https://shop.example/reviews/9"), "Oolong", locale)["telegram"];
        QueryValue(link, "text").Should().Be(text);
    }

    [Fact]
    public async Task Configured_plain_texts_still_win_for_their_locale_and_other_locales_keep_the_snippet()
    {
        await using var harness = new ReferralHarness(o => o.Sharing.Texts["th"] = new ShareTexts { Referral = "ลอง {shop} สิ" });
        var builder = harness.Get<ShareLinkBuilder>();

        QueryValue(builder.ForReferral(Landing, "th-TH")["telegram"], "text").Should().Be("ลอง Tea House สิ");
        QueryValue(builder.ForReferral(Landing, "en")["telegram"], "text").Should().StartWith("I really like Tea House");
        Uri.UnescapeDataString(builder.ForReferral(Landing, "th")["email"].Url.OriginalString).Should().StartWith("mailto:?subject=ของขวัญต้อนรับจากฉันที่ Tea House&");
    }
}
