using System.Xml.Linq;
using Loyalty.Referrals.Sharing;

namespace Loyalty.Referrals.Tests;

public sealed class ShareLinkTests
{
    private static readonly Uri Landing = new("https://shop.example/r/MEI7TEA");

    [Fact]
    public async Task Every_network_link_is_an_absolute_url_carrying_the_encoded_landing_url_code_and_utm_parameters()
    {
        await using var harness = new ReferralHarness(o => o.Sharing.Campaign = "spring");
        var links = harness.Get<ShareLinkBuilder>().ForReferral(Landing, "en");

        links.Keys.Should().BeEquivalentTo("facebook", "x", "linkedin", "whatsapp", "telegram", "line", "weibo", "pinterest", "reddit", "email", "wechat");
        foreach (var (network, link) in links)
        {
            link.Url.IsAbsoluteUri.Should().BeTrue(network);
            var tracked = $"https://shop.example/r/MEI7TEA?utm_source={network}&utm_medium=referral&utm_campaign=spring";
            if (link.Kind == ShareLinkKind.QrCode)
            {
                link.Url.AbsoluteUri.Should().Be(tracked);
                continue;
            }

            link.Url.OriginalString.Should().Contain(Uri.EscapeDataString(tracked), network);
            Uri.UnescapeDataString(link.Url.OriginalString).Should().Contain("MEI7TEA").And.Contain($"utm_source={network}");
            if (link.Kind == ShareLinkKind.Web)
            {
                link.Url.Scheme.Should().Be("https", network);
            }
        }
    }

    [Fact]
    public async Task The_email_link_is_a_mailto_per_RFC_6068_with_spaces_as_percent_20_and_CRLF_line_breaks()
    {
        await using var harness = new ReferralHarness();
        var mail = harness.Get<ShareLinkBuilder>().ForReferral(Landing, "en")["email"];

        var text = mail.Url.OriginalString;
        text.Should().StartWith("mailto:?subject=A%20welcome%20gift%20from%20me%20at%20Tea%20House&body=");
        text.Should().NotContain(" ").And.NotContain("+").And.Contain("%0D%0A%0D%0A").And.Contain("%E2%80%94");
        var body = Uri.UnescapeDataString(text[(text.IndexOf("&body=", StringComparison.Ordinal) + 6)..]);
        body.Should().EndWith("\r\n\r\nhttps://shop.example/r/MEI7TEA?utm_source=email&utm_medium=referral&utm_campaign=referral");
        mail.Kind.Should().Be(ShareLinkKind.Email);
    }

    [Theory]
    [InlineData("en", 300)]
    [InlineData("zh-TW", 200)]
    public void The_X_text_is_trimmed_so_that_text_and_a_23_character_url_fit_280(string locale, int repeat)
    {
        var letter = locale == "en" ? "a" : "茶";
        var fitted = XPostLength.FitWithUrl(string.Concat(Enumerable.Repeat(letter, repeat)));

        (XPostLength.Weigh(fitted) + 1 + XPostLength.UrlLength).Should().BeLessThanOrEqualTo(280);
        (XPostLength.Weigh(fitted) + 1 + XPostLength.UrlLength).Should().BeGreaterThan(270);
        fitted.Should().EndWith("…");
        XPostLength.FitWithUrl("short").Should().Be("short");
    }

    [Fact]
    public async Task The_X_link_carries_the_trimmed_text()
    {
        await using var harness = new ReferralHarness();
        var link = harness.Get<ShareLinkBuilder>().Build(Landing, new string('b', 400), "s", null, "c")["x"];
        var query = link.Url.Query.TrimStart('?').Split('&').ToDictionary(p => p.Split('=')[0], p => Uri.UnescapeDataString(p.Split('=')[1]));
        (XPostLength.Weigh(query["text"]) + 1 + 23).Should().BeLessThanOrEqualTo(280);
        query["url"].Should().StartWith(Landing.AbsoluteUri + "?utm_source=x");
    }

    [Theory]
    [InlineData("zh-TW", "我很喜歡 Tea House")]
    [InlineData("zh-Hant-HK", "我很喜歡 Tea House")]
    [InlineData("zh-CN", "我很喜欢 Tea House")]
    [InlineData("th-TH", "ฉันชอบ Tea House")]
    [InlineData("fr", "I really like Tea House")]
    public async Task Texts_are_localised_with_fallback(string locale, string start)
    {
        await using var harness = new ReferralHarness();
        var link = harness.Get<ShareLinkBuilder>().ForReferral(Landing, locale)["telegram"];
        Uri.UnescapeDataString(link.Url.Query).Should().Contain("text=" + start);
    }

    [Fact]
    public void The_WeChat_QR_code_renders_as_png_and_svg()
    {
        var png = WeChatQrCode.Png(Landing, 4);
        png.Take(8).Should().Equal(0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A);
        var svg = XDocument.Parse(WeChatQrCode.Svg(Landing, 4));
        svg.Root!.Name.LocalName.Should().Be("svg");
    }

    [Fact]
    public async Task The_WeChat_QR_code_decodes_back_to_the_landing_url()
    {
        // zbarimg (Debian's zbar-tools, installed by scripts/test.sh) is an independent QR decoder.
        var file = Path.Combine(Path.GetTempPath(), $"wechat-{Guid.NewGuid():N}.png");
        await File.WriteAllBytesAsync(file, WeChatQrCode.Png(Landing, 6));
        try
        {
            var start = new System.Diagnostics.ProcessStartInfo("zbarimg", $"--quiet --raw \"{file}\"") { RedirectStandardOutput = true, RedirectStandardError = true };
            using var process = System.Diagnostics.Process.Start(start)!;
            var decoded = await process.StandardOutput.ReadToEndAsync();
            await process.WaitForExitAsync();
            process.ExitCode.Should().Be(0, await process.StandardError.ReadToEndAsync());
            decoded.Trim().Should().Be(Landing.AbsoluteUri);
        }
        finally
        {
            File.Delete(file);
        }
    }
}
