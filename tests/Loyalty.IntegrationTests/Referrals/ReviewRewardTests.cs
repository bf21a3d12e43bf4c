using System.Collections.Concurrent;
using Loyalty.Email.Flows;
using Loyalty.Email.Scheduling;
using Loyalty.Events;
using Loyalty.IntegrationTests.Hosting;
using Loyalty.IntegrationTests.Infrastructure;
using Loyalty.Publishing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Time.Testing;

namespace Loyalty.IntegrationTests.Referrals;

/// <summary>The honest-review reward through intake, the review-reward flow, the dispatcher, SQLite and the host's issuer.</summary>
[Collection("smtp")]
public sealed class ReviewRewardTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Start = new(2026, 8, 1, 10, 0, 0, TimeSpan.FromHours(7));
    private readonly SmtpServerFixture _smtp;
    private readonly string _dir = Directory.CreateTempSubdirectory("loyalty-review-reward-").FullName;
    private readonly FakeTimeProvider _clock = new(Start);
    private readonly RecordingCreditIssuer _credits = new();

    public ReviewRewardTests(SmtpServerFixture smtp)
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
            new Loyalty.DependencyInjection.LoyaltyBuilder(services).AddReferrals(o => o.Rewards.ReviewRewardKind = "review-thanks-credit");
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

    private ReviewSubmitted Review(string eventId, string sku, int rating) => new()
    {
        EventId = eventId,
        OccurredAt = _clock.GetUtcNow(),
        CustomerId = "cust-ploy",
        Sku = sku,
        OrderId = "TH-12",
        Rating = rating,
        Text = "Honest words",
        ProductName = sku,
    };

    [Fact]
    public async Task A_one_star_and_a_five_star_review_are_each_paid_once_and_an_edit_or_a_retry_pays_nothing_more()
    {
        using var host = await StartAsync();
        await PublishAsync(host, new CustomerUpserted
        {
            EventId = "customer:ploy",
            OccurredAt = Start,
            CustomerId = "cust-ploy",
            Customer = new CustomerSnapshot { Email = "ploy@example.co.th", FirstName = "Ploy", Locale = "th", TimeZone = "Asia/Bangkok" },
        });

        await PublishAsync(host, Review("review:1", "JASMINE", rating: 1));
        await PublishAsync(host, Review("review:2", "OOLONG", rating: 5));
        await DispatchUntilQuietAsync(host);
        // The customer edits the jasmine review (a new event), and the shop retries a publish it was unsure of.
        await PublishAsync(host, Review("review:3", "JASMINE", rating: 4));
        await PublishAsync(host, Review("review:2", "OOLONG", rating: 5));
        await DispatchUntilQuietAsync(host);
        await DispatchUntilQuietAsync(host);

        _credits.Requests.Should().HaveCount(2);
        _credits.Requests.Select(r => r.IdempotencyKey).Distinct().Should().HaveCount(2);
        _credits.Requests.Should().OnlyContain(r => r.CustomerId == "cust-ploy" && r.Kind == "review-thanks-credit");
        _credits.Requests.Select(r => r.Reason).Should().Contain(r => r.Contains("review-reward:cust-ploy:JASMINE", StringComparison.Ordinal))
            .And.Contain(r => r.Contains("review-reward:cust-ploy:OOLONG", StringComparison.Ordinal));
        (await _smtp.ReadMessagesAsync()).Should().BeEmpty("a review reward sends no e-mail of its own");
    }

    private sealed class RecordingCreditIssuer : ICreditIssuer
    {
        private readonly ConcurrentQueue<CreditRequest> _requests = new();

        public IReadOnlyList<CreditRequest> Requests => _requests.ToList();

        public Task<string?> IssueAsync(CreditRequest request, CancellationToken cancellationToken)
        {
            _requests.Enqueue(request);
            return Task.FromResult<string?>("THB 50 credit");
        }
    }
}
