using System.Net;
using Loyalty.EntityFrameworkCore;
using Loyalty.Events;
using Loyalty.Publishing;
using Loyalty.Referrals.Attribution;
using Loyalty.Referrals.Codes;
using Loyalty.Referrals.Sharing;
using Loyalty.Stores;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace Loyalty.IntegrationTests.Referrals;

/// <summary>
/// Tracked share links over HTTP on a real Kestrel, stored in SQLite through the EF Core stores: opens are counted
/// per advocate and per network next to the landing visits, attributed orders and rewards of the funnel.
/// </summary>
public sealed class ShareOpenFunnelTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Start = new(2026, 5, 1, 9, 0, 0, TimeSpan.FromHours(8));
    private readonly string _dir = Directory.CreateTempSubdirectory("loyalty-share-open-").FullName;
    private readonly FakeTimeProvider _clock = new(Start);
    private WebApplication _app = null!;
    private HttpClient _client = null!;

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel().UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Loyalty:Shop:Name"] = "Tea & Kettle",
            ["Loyalty:Shop:BaseUrl"] = "https://shop.example/",
            ["Loyalty:Email:FileTransport:Directory"] = Path.Combine(_dir, "mail"),
            ["Loyalty:Links:Keys:1"] = Convert.ToBase64String(new byte[32]),
        });
        builder.Services.AddSingleton<TimeProvider>(_clock);
        builder.Services.AddDbContext<LoyaltyDbContext>(o => o.UseSqlite($"Data Source={Path.Combine(_dir, "shop.db")}"));
        builder.Services.AddLoyalty(builder.Configuration.GetSection("Loyalty")).AddEmail().AddReferrals().UseEntityFrameworkCore<LoyaltyDbContext>();
        _app = builder.Build();
        _app.UseLoyaltyReferralQuery();
        _app.MapLoyalty();
        await using (var scope = _app.Services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<LoyaltyDbContext>().Database.EnsureCreatedAsync();
        }

        await _app.StartAsync();
        var address = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        _client = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false }) { BaseAddress = new Uri(address + "/") };
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_dir, recursive: true);
    }

    private async Task PublishAsync(LoyaltyEvent e)
    {
        await using var scope = _app.Services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<ILoyaltyPublisher>().PublishAsync(e);
    }

    private async Task<string> AdvocateAsync(string id, string name, string locale)
    {
        await PublishAsync(new CustomerUpserted
        {
            EventId = $"customer:{id}", OccurredAt = Start, CustomerId = id,
            Customer = new CustomerSnapshot { Email = $"{id}@example.com", FirstName = name, Locale = locale, TimeZone = "Asia/Taipei" },
        });
        await using var scope = _app.Services.CreateAsyncScope();
        return (await scope.ServiceProvider.GetRequiredService<ReferralCodes>().GetOrCreateAsync(id)).Code;
    }

    private async Task<HttpResponseMessage> OpenAsync(string network, string code)
    {
        var response = await _client.GetAsync($"loyalty/s/{network}/{code}");
        return response;
    }

    private async Task<ReferralFunnelReport> FunnelAsync(string? advocate)
    {
        await using var scope = _app.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<ReferralFunnel>().GetAsync(new ReferralFunnelFilter { AdvocateCustomerId = advocate });
    }

    [Fact]
    public async Task Share_opens_are_stored_and_counted_per_advocate_and_per_network_beside_visits_and_orders()
    {
        var mei = await AdvocateAsync("cust-mei", "Mei", "zh-TW");
        var nok = await AdvocateAsync("cust-nok", "Nok", "th");

        using (var line = await OpenAsync("line", mei))
        {
            line.StatusCode.Should().Be(HttpStatusCode.Redirect);
            var target = line.Headers.Location!;
            target.Host.Should().Be("social-plugins.line.me");
            // The advocate's own locale picks the words (zh-TW snippet); the shop's name is plain text, not HTML.
            Uri.UnescapeDataString(target.Query).Should().Contain("text=我很喜歡 Tea & Kettle").And.Contain($"url=https://shop.example/r/{mei}?utm_source=line");
        }

        (await OpenAsync("line", mei)).Dispose();
        (await OpenAsync("x", mei.ToLowerInvariant())).Dispose();
        using (var thai = await OpenAsync("line", nok))
        {
            Uri.UnescapeDataString(thai.Headers.Location!.Query).Should().Contain("text=ฉันชอบ Tea & Kettle");
        }

        using (var wechat = await OpenAsync("wechat", nok))
        {
            wechat.Headers.Location!.AbsoluteUri.Should().Be($"https://shop.example/r/{nok}/wechat-qr.png");
        }

        using (var unknown = await OpenAsync("myspace", mei))
        {
            unknown.StatusCode.Should().Be(HttpStatusCode.NotFound);
            unknown.Headers.Location.Should().BeNull();
        }

        (await OpenAsync("line", "NOSUCH7")).StatusCode.Should().Be(HttpStatusCode.NotFound);

        // A friend lands from Mei's LINE share and orders.
        using (var landing = await _client.GetAsync($"r/{mei}?utm_source=line&utm_medium=referral"))
        {
            landing.StatusCode.Should().Be(HttpStatusCode.Redirect);
            var visitor = landing.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("loyalty_ref=", StringComparison.Ordinal)).Split(';')[0]["loyalty_ref=".Length..].Split('.')[0];
            _clock.Advance(TimeSpan.FromHours(3));
            await PublishAsync(new OrderPlaced
            {
                EventId = "order:F-7", OccurredAt = _clock.GetUtcNow(), CustomerId = "cust-friend", OrderId = "F-7", Currency = "TWD", Total = 800m, VisitorId = visitor,
                Customer = new CustomerSnapshot { Email = "friend@example.net", FirstName = "Lin", Locale = "zh-TW", TimeZone = "Asia/Taipei" },
                Lines = [new OrderLine { Sku = "oolong", ProductName = "Oolong", Quantity = 1, UnitPrice = 800m }],
            });
        }

        var meiFunnel = await FunnelAsync("cust-mei");
        meiFunnel.ByNetwork.Single(r => r.Network == "line").Should().Be(new ReferralFunnelRow("line", ShareOpens: 2, LandingVisits: 1, AttributedOrders: 1, Rewards: 0));
        meiFunnel.ByNetwork.Single(r => r.Network == "x").Should().Be(new ReferralFunnelRow("x", 1, 0, 0, 0));
        var nokFunnel = await FunnelAsync("cust-nok");
        nokFunnel.ByNetwork.Select(r => (r.Network, r.ShareOpens)).Should().BeEquivalentTo([("line", 1), ("wechat", 1)]);
        (await FunnelAsync(null)).Totals.ShareOpens.Should().Be(5);

        await using var scope = _app.Services.CreateAsyncScope();
        var stored = await scope.ServiceProvider.GetRequiredService<LoyaltyDbContext>().Set<ShareEvent>().AsNoTracking().ToListAsync();
        stored.Should().HaveCount(5).And.OnlyContain(e => e.Kind == ShareEventKind.Opened && e.Subject == "referral" && e.At == Start);
    }
}
