using Loyalty.Storefront.Tests.Infrastructure;
using Microsoft.Playwright;
using Xunit.Abstractions;

namespace Loyalty.Storefront.Tests.Browser;

/// <summary>A customer's walk through the real storefront in headless Chromium (Debian's /usr/bin/chromium, no browser download).</summary>
[Collection(StorefrontCollection.Name)]
public sealed class CustomerWalkTests(StorefrontFixture storefront, ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly string[] ChromiumArgs =
    [
        "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
    ];

    private readonly string _screenshots = Path.Combine(AppContext.BaseDirectory, "TestResults", "screenshots");
    private IPlaywright? _playwright;
    private IBrowser? _browser;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_screenshots);
        _playwright = await Playwright.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = "/usr/bin/chromium",
            Headless = true,
            Args = ChromiumArgs,
        });
    }

    public async Task DisposeAsync()
    {
        if (_browser is not null)
        {
            await _browser.DisposeAsync();
        }

        _playwright?.Dispose();
    }

    [Fact]
    public async Task A_customer_buys_the_starter_kit_gets_the_check_in_reviews_from_the_email_shares_and_is_rewarded_when_a_friend_orders()
    {
        var (customerId, email) = await storefront.CreateCustomerAsync("walk");
        await using var context = await _browser!.NewContextAsync(new BrowserNewContextOptions { BaseURL = storefront.BaseAddress.AbsoluteUri });
        context.SetDefaultTimeout(15_000);
        var page = await context.NewPageAsync();

        await page.GotoAsync($"/switch?customer={customerId}&return=/");
        await Assertions.Expect(page.Locator("[data-sku=starter-kit]")).ToBeVisibleAsync();
        await ShotAsync(page, "01-catalogue");

        await page.ClickAsync("#add-starter-kit");
        await Assertions.Expect(page.Locator("#cart")).ToContainTextAsync("Starter Kit");
        await ShotAsync(page, "02-cart");

        await page.ClickAsync("#checkout");
        await Assertions.Expect(page.Locator("#order-placed")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("#orders")).ToContainTextAsync("Starter Kit");
        await ShotAsync(page, "03-account-after-checkout");

        // The demo clock widget: +30 days also runs what fell due.
        await page.ClickAsync("#clock-30d");
        await page.GotoAsync($"/admin/mailbox?to={Uri.EscapeDataString(email)}");
        var checkIn = page.Locator("#mailbox tr.message a", new PageLocatorOptions { HasTextString = "starter kit" });
        await PollAsync(page, checkIn);
        await ShotAsync(page, "04-mailbox");

        await checkIn.First.ClickAsync();
        await Assertions.Expect(page.Locator("#message-text")).ToContainTextAsync("month");
        await Assertions.Expect(page.FrameLocator("#message-html").Locator("body")).ToContainTextAsync("starter kit");
        await ShotAsync(page, "05-check-in-email");

        await page.GotoAsync($"/admin/sends?customerId={customerId}");
        await Assertions.Expect(page.Locator("#sends")).ToContainTextAsync("starter-kit-checkin");
        await ShotAsync(page, "06-admin-sends");

        await page.GotoAsync("/account");
        await page.Locator("#orders button.deliver").First.ClickAsync();
        await Assertions.Expect(page.Locator("#orders .order-status").First).ToHaveTextAsync("delivered");
        await Assertions.Expect(page.Locator("#orders .stars a").First).ToBeVisibleAsync();
        await ShotAsync(page, "07-account-delivered");

        await page.GotoAsync("/admin/templates?name=starter-kit-checkin&locale=zh-TW&lang=zh-TW");
        await Assertions.Expect(page.Locator("#preview-subject")).Not.ToBeEmptyAsync();
        await ShotAsync(page, "08-template-preview-zh-TW");

        await page.GotoAsync("/admin?lang=en");
        await Assertions.Expect(page.Locator("#flows")).ToContainTextAsync("service-recovery-apology");
        await Assertions.Expect(page.Locator("#flows")).ToContainTextAsync("review-prompt");
        await Assertions.Expect(page.Locator("#referral-storage")).ToContainTextAsync("in the database");
        await ShotAsync(page, "09-admin-flows");

        // The dry-run of another starter kit order for this customer: the check-in would be scheduled again, 30 days out.
        await page.GotoAsync("/admin/dry-run");
        await page.SelectOptionAsync("#dry-run-event", "starter-kit-order");
        await page.ClickAsync("#dry-run-submit");
        await Assertions.Expect(page.Locator("#dry-run-report tr[data-flow=starter-kit-checkin][data-verdict=Entered]")).ToContainTextAsync("starter-kit-checkin");
        await Assertions.Expect(page.Locator("#dry-run-report tr[data-flow=service-recovery-apology]")).ToContainTextAsync("ServiceIssueDetected");
        await ShotAsync(page, "09b-admin-dry-run");

        // A week after delivery the library's review prompt arrives; its 5-star link opens the review page pre-filled.
        await page.GotoAsync("/account");
        await page.ClickAsync("#clock-7d");
        await page.GotoAsync($"/admin/mailbox?to={Uri.EscapeDataString(email)}");
        var prompt = page.Locator("#mailbox tr.message a", new PageLocatorOptions { HasTextString = "How are you finding your order" });
        await PollAsync(page, prompt);
        await prompt.First.ClickAsync();
        var fiveStars = page.FrameLocator("#message-html").Locator("a", new FrameLocatorLocatorOptions { HasTextString = "5★" }).First;
        await Assertions.Expect(fiveStars).ToBeVisibleAsync();
        await ShotAsync(page, "10-review-prompt-email");
        var starLink = new Uri((await fiveStars.GetAttributeAsync("href"))!);
        starLink.AbsolutePath.Should().StartWith("/loyalty/review/");

        await page.GotoAsync(starLink.AbsoluteUri);
        page.Url.Should().Contain("/review?order=").And.Contain("sku=starter-kit").And.Contain("rating=5");
        await Assertions.Expect(page.Locator("#rating-5")).ToBeCheckedAsync();
        await Assertions.Expect(page.Locator("#review-form")).ToContainTextAsync("Starter Kit");
        await page.FillAsync("textarea[name=text]", "Lovely kit, the kettle pours beautifully.");
        await ShotAsync(page, "11-review-page-prefilled");
        await page.ClickAsync("#submit-review");
        await Assertions.Expect(page.Locator("#review-thanks")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("#review-share a[data-network=line]")).ToBeVisibleAsync();
        await ShotAsync(page, "12-review-thanks-share");

        // The share e-mail after a 5-star review: its LINE link shares the review's page, tagged utm_source=line.
        await page.GotoAsync($"/admin/mailbox?to={Uri.EscapeDataString(email)}");
        var shareMail = page.Locator("#mailbox tr.message a", new PageLocatorOptions { HasTextString = "Thank you for your review" });
        await PollAsync(page, shareMail, dispatch: true);
        await shareMail.First.ClickAsync();
        var lineInMail = page.FrameLocator("#message-html").Locator("a", new FrameLocatorLocatorOptions { HasTextString = "LINE" }).First;
        await Assertions.Expect(lineInMail).ToBeVisibleAsync();
        await ShotAsync(page, "13-share-email");
        var line = (await lineInMail.GetAttributeAsync("href"))!;
        line.Should().StartWith("https://social-plugins.line.me/lineit/share?url=");
        var shared = new Uri(Uri.UnescapeDataString(line["https://social-plugins.line.me/lineit/share?url=".Length..].Split('&')[0]));
        shared.GetLeftPart(UriPartial.Path).Should().Be(new Uri(storefront.BaseAddress, "products/starter-kit").AbsoluteUri);
        shared.Query.Should().Contain("utm_source=line").And.Contain("utm_medium=referral").And.Contain("ref=");
        shared.Fragment.Should().Be("#reviews");

        // The account page: the referral link, a share button for every network and the WeChat QR code.
        await page.GotoAsync("/account");
        var code = (await page.Locator("#referral").GetAttributeAsync("data-code"))!;
        await Assertions.Expect(page.Locator("#referral-link")).ToHaveAttributeAsync("href", new Uri(storefront.BaseAddress, $"r/{code}").AbsoluteUri);
        foreach (var network in new[] { "facebook", "x", "linkedin", "whatsapp", "telegram", "line", "weibo", "pinterest", "reddit", "email" })
        {
            await Assertions.Expect(page.Locator($"#referral-share a[data-network={network}]")).ToHaveCountAsync(1);
        }

        await Assertions.Expect(page.Locator("#referral-share-wechat-qr")).ToBeVisibleAsync();
        (await page.Locator("#referral-share-wechat-qr").EvaluateAsync<int>("img => img.complete ? img.naturalWidth : 0")).Should().BeGreaterThan(100);
        // The button is Loyalty's tracked link: opening it counts a share open and redirects to LINE's share URL.
        var tracked = (await page.Locator("#referral-share a[data-network=line]").GetAttributeAsync("href"))!;
        tracked.Should().Be(new Uri(storefront.BaseAddress, $"loyalty/s/line/{code}").AbsoluteUri);
        string lineShare;
        using (var noRedirects = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }))
        using (var opened = await noRedirects.GetAsync(new Uri(tracked)))
        {
            opened.StatusCode.Should().Be(System.Net.HttpStatusCode.Found);
            lineShare = opened.Headers.Location!.AbsoluteUri;
        }

        lineShare.Should().StartWith("https://social-plugins.line.me/lineit/share?url=");
        var friendLanding = new Uri(Uri.UnescapeDataString(lineShare["https://social-plugins.line.me/lineit/share?url=".Length..].Split('&')[0]));
        friendLanding.GetLeftPart(UriPartial.Path).Should().Be(new Uri(storefront.BaseAddress, $"r/{code}").AbsoluteUri);
        friendLanding.Query.Should().Contain("utm_source=line");
        await ShotAsync(page, "14-account-referral");

        // A friend, in their own browser, opens the shared link, signs up and orders the starter kit.
        await using (var friendContext = await _browser!.NewContextAsync(new BrowserNewContextOptions { BaseURL = storefront.BaseAddress.AbsoluteUri }))
        {
            friendContext.SetDefaultTimeout(15_000);
            var friend = await friendContext.NewPageAsync();
            await friend.GotoAsync(friendLanding.AbsoluteUri);
            new Uri(friend.Url).AbsolutePath.Should().Be("/");
            (await friendContext.CookiesAsync()).Should().Contain(c => c.Name == "loyalty_ref" && c.Value.EndsWith("." + code, StringComparison.Ordinal) && c.HttpOnly && c.SameSite == SameSiteAttribute.Lax);
            await ShotAsync(friend, "15-friend-landed");

            var friendEmail = $"friend-{Guid.NewGuid():N}"[..15] + "@example.net";
            await friend.GotoAsync("/account");
            await friend.FillAsync("form[action='/account/new'] input[name=name]", "Ben Friend");
            await friend.FillAsync("form[action='/account/new'] input[name=email]", friendEmail);
            await friend.SelectOptionAsync("form[action='/account/new'] select[name=timeZone]", "Asia/Taipei");
            await friend.CheckAsync("form[action='/account/new'] input[name=consent]");
            await friend.ClickAsync("form[action='/account/new'] button[type=submit]");
            await Assertions.Expect(friend.Locator("#customer")).ToContainTextAsync(friendEmail);
            await friend.GotoAsync("/");
            await friend.ClickAsync("#add-starter-kit");
            await friend.ClickAsync("#checkout");
            await Assertions.Expect(friend.Locator("#order-placed")).ToBeVisibleAsync();
            await Assertions.Expect(friend.Locator("#credits")).ToContainTextAsync("referral-friend");
            await ShotAsync(friend, "16-friend-account-with-welcome-credit");
        }

        // The advocate's reward waits for the 14-day return window, then shows on the account page.
        await page.GotoAsync("/account");
        await Assertions.Expect(page.Locator("#referral-funnel")).ToContainTextAsync(": 1 · 1 · 1 ·");
        (await page.Locator("#credits").CountAsync() == 0 || !(await page.Locator("#credits").InnerTextAsync()).Contains("referral-advocate", StringComparison.Ordinal))
            .Should().BeTrue("the advocate is rewarded only after the return window");
        await page.ClickAsync("#clock-7d");
        await page.ClickAsync("#clock-7d");
        await page.ClickAsync("#clock-1d");
        await page.GotoAsync("/account");
        await PollAsync(page, page.Locator("#credits td", new PageLocatorOptions { HasTextString = "referral-advocate" }), dispatch: true);
        await ShotAsync(page, "17-account-advocate-reward");
        output.WriteLine($"Screenshots: {_screenshots}");
    }

    /// <summary>Reloads until the locator shows (the e-mail is written by a worker), with a timeout.</summary>
    private async Task PollAsync(IPage page, ILocator locator, bool dispatch = false)
    {
        var until = DateTime.UtcNow.AddSeconds(20);
        while (await locator.CountAsync() == 0)
        {
            if (DateTime.UtcNow > until)
            {
                throw new TimeoutException($"Nothing matched on {page.Url}: {await page.Locator("main").InnerTextAsync()}");
            }

            if (dispatch)
            {
                await storefront.DispatchAsync();
            }

            await page.ReloadAsync();
        }
    }

    private async Task ShotAsync(IPage page, string name)
    {
        var path = Path.Combine(_screenshots, name + ".png");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = true });
        output.WriteLine($"screenshot {path}");
    }
}
