using System.Collections.Concurrent;
using Loyalty.Email.Flows;
using Loyalty.Events;
using Loyalty.IntegrationTests.Hosting;
using Loyalty.IntegrationTests.Infrastructure;
using Loyalty.Publishing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Loyalty.IntegrationTests.ServiceRecovery;

/// <summary>An immediate step goes through a real Hangfire server (in-memory storage) to the real SMTP server, without a sweep.</summary>
[Collection("smtp")]
public sealed class ServiceRecoveryThroughHangfireTests : IAsyncLifetime
{
    private readonly SmtpServerFixture _smtp;
    private readonly string _dir = Directory.CreateTempSubdirectory("loyalty-recovery-").FullName;
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 5, 4, 13, 0, 0, TimeSpan.Zero));
    private readonly RecordingCreditIssuer _credits = new();

    public ServiceRecoveryThroughHangfireTests(SmtpServerFixture smtp)
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

    [Fact]
    public async Task An_apology_and_one_credit_follow_a_service_issue_without_waiting_for_a_sweep()
    {
        using var host = await LoyaltyTestHost.StartAsync(new TestHostSettings
        {
            Clock = _clock,
            Smtp = _smtp,
            SqlitePath = Path.Combine(_dir, "shop.db"),
            WithHangfireServer = true,
            Email = email => email.AddServiceRecovery(),
            Services = services => services.AddSingleton<ICreditIssuer>(_credits),
        });
        var issue = new ServiceIssueDetected
        {
            EventId = "issue-late-parcel-77",
            OccurredAt = _clock.GetUtcNow(),
            CustomerId = "cust-somchai",
            Customer = new CustomerSnapshot { Email = "somchai@example.co.th", FirstName = "Somchai", Locale = "th-TH", TimeZone = "Asia/Bangkok" },
            IssueId = "late-parcel-77",
            Kind = "late-parcel",
            Severity = ServiceIssueSeverity.Medium,
            OrderId = "A-77",
            SuggestedCredit = 100m,
            Currency = "THB",
        };

        await using (var scope = host.Services.CreateAsyncScope())
        {
            var publisher = scope.ServiceProvider.GetRequiredService<ILoyaltyPublisher>();
            (await publisher.PublishAsync(issue)).ScheduledStepIds.Should().HaveCount(2);
            (await publisher.PublishAsync(issue with { })).Accepted.Should().BeFalse();
        }

        var messages = await _smtp.WaitForMessagesAsync(1, TimeSpan.FromSeconds(30));
        await _credits.WaitForAsync(1, TimeSpan.FromSeconds(30));

        var apology = messages.Should().ContainSingle().Subject;
        apology.To.Mailboxes.Single().Address.Should().Be("somchai@example.co.th");
        apology.HtmlBody.Should().Contain("Somchai");
        _credits.Requests.Should().ContainSingle().Which.Should().Match<CreditRequest>(r => r.SuggestedAmount == 100m && r.Currency == "THB" && r.CustomerId == "cust-somchai");
    }

    private sealed class RecordingCreditIssuer : ICreditIssuer
    {
        private readonly ConcurrentDictionary<string, CreditRequest> _byKey = new();

        public IReadOnlyCollection<CreditRequest> Requests => _byKey.Values.ToList();

        public Task<string?> IssueAsync(CreditRequest request, CancellationToken cancellationToken)
        {
            _byKey.TryAdd(request.IdempotencyKey, request);
            return Task.FromResult<string?>("CREDIT-" + request.IdempotencyKey[..6]);
        }

        public async Task WaitForAsync(int count, TimeSpan timeout)
        {
            using var cts = new CancellationTokenSource(timeout);
            while (_byKey.Count < count)
            {
                await Task.Delay(50, cts.Token);
            }
        }
    }
}
