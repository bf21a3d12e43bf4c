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
    public async Task A_customer_buys_the_starter_kit_and_reads_the_check_in_email_in_the_mailbox_30_demo_days_later()
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

        await page.GotoAsync("/admin");
        await Assertions.Expect(page.Locator("#flows")).ToContainTextAsync("service-recovery-apology");
        await ShotAsync(page, "09-admin-flows");
        output.WriteLine($"Screenshots: {_screenshots}");
    }

    /// <summary>Reloads until the locator shows (the e-mail is written by a worker), with a timeout.</summary>
    private static async Task PollAsync(IPage page, ILocator locator)
    {
        var until = DateTime.UtcNow.AddSeconds(20);
        while (await locator.CountAsync() == 0)
        {
            if (DateTime.UtcNow > until)
            {
                throw new TimeoutException($"Nothing matched on {page.Url}: {await page.Locator("main").InnerTextAsync()}");
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
