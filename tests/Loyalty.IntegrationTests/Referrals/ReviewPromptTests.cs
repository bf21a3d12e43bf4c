using System.Text.RegularExpressions;
using Loyalty.Email.Scheduling;
using Loyalty.Events;
using Loyalty.IntegrationTests.Hosting;
using Loyalty.IntegrationTests.Infrastructure;
using Loyalty.Publishing;
using Loyalty.Referrals.Reviews;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Time.Testing;

namespace Loyalty.IntegrationTests.Referrals;

/// <summary>Review prompts and review-to-share through intake, flows, the dispatcher, SQLite and the real SMTP server.</summary>
[Collection("smtp")]
public sealed partial class ReviewPromptTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Start = new(2026, 7, 1, 10, 0, 0, TimeSpan.FromHours(8));
    private readonly SmtpServerFixture _smtp;
    private readonly string _dir = Directory.CreateTempSubdirectory("loyalty-review-").FullName;
    private readonly FakeTimeProvider _clock = new(Start);

    public ReviewPromptTests(SmtpServerFixture smtp)
    {
        _smtp = smtp;
    }

    public Task InitializeAsync()
    {
        _smtp.Clear();
        return Task.CompletedTask;
    }

    public Task DisposeAsync()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_dir, recursive: true);
        return Task.CompletedTask;
    }

    [GeneratedRegex("href=\"([^\"]+)\"")]
    private static partial Regex Href();

    private Task<IHost> StartAsync() => LoyaltyTestHost.StartAsync(new TestHostSettings
    {
        Clock = _clock,
        Smtp = _smtp,
        SqlitePath = Path.Combine(_dir, "shop.db"),
        Services = services => new Loyalty.DependencyInjection.LoyaltyBuilder(services).AddReferrals().UseEntityFrameworkCore<Loyalty.EntityFrameworkCore.LoyaltyDbContext>(),
    });

    private static async Task PublishAsync(IHost host, LoyaltyEvent e)
    {
        await using var scope = host.Services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<ILoyaltyPublisher>().PublishAsync(e);
    }

    private static async Task DispatchUntilQuietAsync(IHost host)
    {
        var dispatcher = host.Services.GetRequiredService<StepDispatcher>();
        for (var round = 0; round < 10 && await dispatcher.DispatchDueAsync() > 0; round++)
        {
        }
    }

    private ReviewSubmitted Review(string sku, int rating, string? url) => new()
    {
        EventId = $"review:{sku}:{rating}",
        OccurredAt = _clock.GetUtcNow(),
        CustomerId = "cust-nok",
        Sku = sku,
        OrderId = "TH-9",
        Rating = rating,
        Text = "Lovely",
        ReviewUrl = url,
        ProductName = sku,
    };

    [Fact]
    public async Task An_order_of_three_products_with_one_reviewed_gets_one_prompt_for_the_other_two_with_working_star_links()
    {
        using var host = await StartAsync();
        await PublishAsync(host, new OrderPlaced
        {
            EventId = "order:TH-9",
            OccurredAt = Start,
            CustomerId = "cust-nok",
            Customer = new CustomerSnapshot { Email = "nok@example.co.th", FirstName = "Nok", Locale = "en", TimeZone = "Asia/Taipei", MarketingConsent = new ConsentChange(true, "checkout", Start) },
            OrderId = "TH-9",
            Currency = "THB",
            Total = 900m,
            Lines =
            [
                new OrderLine { Sku = "oolong", ProductName = "Oolong Tea", Quantity = 1, UnitPrice = 300m },
                new OrderLine { Sku = "kettle", ProductName = "Copper Kettle", Quantity = 1, UnitPrice = 400m },
                new OrderLine { Sku = "cups", ProductName = "Tasting Cups", Quantity = 1, UnitPrice = 200m },
            ],
        });
        await PublishAsync(host, Review("oolong", 3, null));
        _clock.Advance(TimeSpan.FromDays(2));
        await PublishAsync(host, new OrderDelivered { EventId = "delivered:TH-9", OccurredAt = _clock.GetUtcNow(), CustomerId = "cust-nok", OrderId = "TH-9" });
        await DispatchUntilQuietAsync(host);
        (await _smtp.ReadMessagesAsync()).Should().BeEmpty("the prompt waits after delivery");

        _clock.Advance(TimeSpan.FromDays(7) + TimeSpan.FromMinutes(5));
        await DispatchUntilQuietAsync(host);

        var prompt = (await _smtp.WaitForMessagesAsync(1, TimeSpan.FromSeconds(10))).Should().ContainSingle().Subject;
        prompt.HtmlBody.Should().Contain("Copper Kettle").And.Contain("Tasting Cups").And.NotContain("Oolong Tea");
        var stars = Href().Matches(prompt.HtmlBody!).Select(m => System.Net.WebUtility.HtmlDecode(m.Groups[1].Value))
            .Where(u => u.Contains("/review/", StringComparison.Ordinal)).ToList();
        stars.Should().HaveCount(10, "five star links for each of the two products");
        var verifier = host.Services.GetRequiredService<ReviewLinkVerifier>();
        var token = stars[4][(stars[4].LastIndexOf('/') + 1)..].Split('?')[0];
        var claims = verifier.Verify(token);
        claims.Should().NotBeNull();
        claims!.CustomerId.Should().Be("cust-nok");
        claims.OrderId.Should().Be("TH-9");
        claims.Rating.Should().Be(5);
        verifier.Verify(token[..^2] + (token[^2] == 'A' ? "B" : "A") + token[^1]).Should().BeNull("a tampered token is refused");
        _clock.Advance(TimeSpan.FromDays(400));
        verifier.Verify(token).Should().BeNull("an expired token is refused");
    }

    [Fact]
    public async Task A_five_star_review_leads_to_the_share_email_and_a_two_star_review_does_not()
    {
        using var host = await StartAsync();
        await PublishAsync(host, new CustomerUpserted
        {
            EventId = "customer:nok",
            OccurredAt = Start,
            CustomerId = "cust-nok",
            Customer = new CustomerSnapshot { Email = "nok@example.co.th", FirstName = "Nok", Locale = "en", TimeZone = "Asia/Taipei", MarketingConsent = new ConsentChange(true, "checkout", Start) },
        });

        await PublishAsync(host, Review("cups", 2, "https://shop.example/p/cups#review-2"));
        await DispatchUntilQuietAsync(host);
        (await _smtp.ReadMessagesAsync()).Should().BeEmpty("a 2-star review is not asked to be shared");

        await PublishAsync(host, Review("kettle", 5, "https://shop.example/p/kettle#review-1"));
        await DispatchUntilQuietAsync(host);

        var share = (await _smtp.WaitForMessagesAsync(1, TimeSpan.FromSeconds(10))).Should().ContainSingle().Subject;
        var links = Href().Matches(share.HtmlBody!).Select(m => System.Net.WebUtility.HtmlDecode(m.Groups[1].Value)).ToList();
        links.Should().Contain(l => l.StartsWith("https://social-plugins.line.me/lineit/share", StringComparison.Ordinal)
            && Uri.UnescapeDataString(l).Contains("https://shop.example/p/kettle", StringComparison.Ordinal));
    }
}
