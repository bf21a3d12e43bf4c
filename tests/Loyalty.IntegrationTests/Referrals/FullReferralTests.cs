using System.Collections.Concurrent;
using Loyalty.Email.Flows;
using Loyalty.Email.Scheduling;
using Loyalty.Events;
using Loyalty.IntegrationTests.Hosting;
using Loyalty.IntegrationTests.Infrastructure;
using Loyalty.Publishing;
using Loyalty.Referrals;
using Loyalty.Referrals.Attribution;
using Loyalty.Referrals.Codes;
using Loyalty.Referrals.Sharing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Time.Testing;

namespace Loyalty.IntegrationTests.Referrals;

/// <summary>
/// A whole referral through the real pipeline: share on LINE, land, order, friend reward, return window, advocate
/// reward and e-mail — intake, flows, dispatcher, SQLite store and the real SMTP server.
/// </summary>
[Collection("smtp")]
public sealed class FullReferralTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Start = new(2026, 4, 1, 10, 0, 0, TimeSpan.FromHours(8));
    private readonly SmtpServerFixture _smtp;
    private readonly string _dir = Directory.CreateTempSubdirectory("loyalty-referral-").FullName;
    private readonly FakeTimeProvider _clock = new(Start);
    private readonly RecordingCreditIssuer _credits = new();

    public FullReferralTests(SmtpServerFixture smtp)
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

    private Task<IHost> StartAsync() => LoyaltyTestHost.StartAsync(new TestHostSettings
    {
        Clock = _clock,
        Smtp = _smtp,
        SqlitePath = Path.Combine(_dir, "shop.db"),
        Services = services =>
        {
            services.AddSingleton<ICreditIssuer>(_credits);
            new Loyalty.DependencyInjection.LoyaltyBuilder(services).AddReferrals().AddInMemoryReferralStores();
        },
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

    private static CustomerUpserted Customer(string id, string email, string name) => new()
    {
        EventId = $"customer:{id}",
        OccurredAt = Start,
        CustomerId = id,
        Customer = new CustomerSnapshot { Email = email, FirstName = name, Locale = "en", TimeZone = "Asia/Taipei", MarketingConsent = new ConsentChange(true, "signup", Start) },
    };

    private OrderPlaced FriendOrder(string visitorId) => new()
    {
        EventId = "order:F-1",
        OccurredAt = _clock.GetUtcNow(),
        CustomerId = "cust-ben",
        Customer = new CustomerSnapshot { Email = "ben@example.net", FirstName = "Ben", Locale = "en", TimeZone = "Asia/Taipei" },
        OrderId = "F-1",
        Currency = "TWD",
        Total = 1500m,
        VisitorId = visitorId,
        Lines = [new OrderLine { Sku = "starter-kit", ProductName = "Starter Kit", Quantity = 1, UnitPrice = 1500m }],
    };

    private async Task<(IHost Host, string Code)> ShareAndLandAsync()
    {
        var host = await StartAsync();
        await PublishAsync(host, Customer("cust-amy", "amy@example.com", "Amy"));
        await using var scope = host.Services.CreateAsyncScope();
        var codes = scope.ServiceProvider.GetRequiredService<ReferralCodes>();
        var code = (await codes.GetOrCreateAsync("cust-amy")).Code;
        var line = scope.ServiceProvider.GetRequiredService<ShareLinkBuilder>().ForReferral(codes.LandingUrl(code), "en")["line"];
        line.Url.ToString().Should().Contain(Uri.EscapeDataString(code)).And.Contain("line.me");

        _clock.Advance(TimeSpan.FromHours(2));
        var visit = await scope.ServiceProvider.GetRequiredService<ReferralVisits>()
            .RecordVisitAsync(new ReferralVisitRequest(code, "visitor-ben", "203.0.113.7", "line"));
        visit.Should().NotBeNull();
        _clock.Advance(TimeSpan.FromDays(1));
        return (host, code);
    }

    [Fact]
    public async Task A_friend_who_lands_from_LINE_and_orders_earns_both_rewards_once_and_the_advocate_is_told()
    {
        var (host, _) = await ShareAndLandAsync();
        using (host)
        {
            await PublishAsync(host, FriendOrder("visitor-ben"));
            await DispatchUntilQuietAsync(host);

            _credits.Keys.Should().BeEquivalentTo(["referral:friend:cust-ben"]);
            var joined = await _smtp.WaitForMessagesAsync(1, TimeSpan.FromSeconds(10));
            joined.Should().ContainSingle().Which.To.Mailboxes.Single().Address.Should().Be("amy@example.com");

            _clock.Advance(TimeSpan.FromDays(13));
            await DispatchUntilQuietAsync(host);
            _credits.Keys.Should().HaveCount(1, "the advocate's reward waits for the 14-day return window");

            _clock.Advance(TimeSpan.FromDays(1) + TimeSpan.FromMinutes(1));
            await DispatchUntilQuietAsync(host);
            await DispatchUntilQuietAsync(host);
            await using (var scope = host.Services.CreateAsyncScope())
            {
                // A retried reward job pays nothing more.
                await scope.ServiceProvider.GetRequiredService<ReferralProcessor>().IssueDueAdvocateRewardsAsync("cust-amy");
            }

            _credits.Keys.Should().BeEquivalentTo(["referral:friend:cust-ben", "referral:advocate:cust-ben"]);
            _credits.Calls.Should().Be(2);
            var all = await _smtp.WaitForMessagesAsync(2, TimeSpan.FromSeconds(10));
            all.Should().HaveCount(2).And.OnlyContain(m => m.To.Mailboxes.Single().Address == "amy@example.com");
        }
    }

    [Fact]
    public async Task A_refund_inside_the_return_window_cancels_the_advocate_reward()
    {
        var (host, _) = await ShareAndLandAsync();
        using (host)
        {
            await PublishAsync(host, FriendOrder("visitor-ben"));
            await DispatchUntilQuietAsync(host);
            _clock.Advance(TimeSpan.FromDays(5));
            await PublishAsync(host, new OrderRefunded { EventId = "refund:F-1", OccurredAt = _clock.GetUtcNow(), CustomerId = "cust-ben", OrderId = "F-1" });

            _clock.Advance(TimeSpan.FromDays(10));
            await DispatchUntilQuietAsync(host);
            await DispatchUntilQuietAsync(host);

            _credits.Keys.Should().NotContain("referral:advocate:cust-ben");
        }
    }

    private sealed class RecordingCreditIssuer : ICreditIssuer
    {
        private readonly ConcurrentDictionary<string, int> _keys = new();
        private int _calls;

        public IReadOnlyCollection<string> Keys => _keys.Keys.ToList();

        public int Calls => _calls;

        public Task<string?> IssueAsync(CreditRequest request, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _calls);
            _keys.AddOrUpdate(request.IdempotencyKey, 1, (_, n) => n + 1);
            return Task.FromResult<string?>("NT$100 credit");
        }
    }
}
