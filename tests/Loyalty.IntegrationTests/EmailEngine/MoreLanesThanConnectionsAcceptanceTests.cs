using Loyalty.Email;
using Loyalty.Email.Delivery;
using Loyalty.EntityFrameworkCore;
using Loyalty.EntityFrameworkCore.Stores;
using Loyalty.IntegrationTests.Hosting;
using Loyalty.IntegrationTests.Infrastructure;
using Loyalty.Stores;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using MimeKit;

namespace Loyalty.IntegrationTests.EmailEngine;

/// <summary>
/// Acceptance: with the default of twice as many dispatch lanes as SMTP connections (8 on 4), every step of a batch is
/// sent once over the real SMTP server, and no more delivered messages than lanes are ever waiting for their result to
/// be written — the bound a worker killed mid-batch re-sends at most (docs/operations.md items 5 and 7).
/// </summary>
[Collection("smtp")]
public sealed class MoreLanesThanConnectionsAcceptanceTests : IDisposable
{
    private static readonly DateTimeOffset Start = new(2026, 3, 2, 10, 0, 0, TimeSpan.FromHours(8));
    private readonly EngineHarness _h;
    private readonly Unrecorded _unrecorded = new();

    public MoreLanesThanConnectionsAcceptanceTests(SmtpServerFixture smtp)
    {
        smtp.Clear();
        _h = new EngineHarness(smtp, Start);
        _h.SimpleTemplate("receipt", "transactional", "Receipt for {{ customer.first_name }}", "<p>Thanks, {{ customer.first_name }}.</p>");
    }

    public void Dispose() => _h.Dispose();

    [Fact]
    public async Task With_the_default_lanes_beyond_the_pool_every_step_is_sent_once_and_at_most_one_delivery_per_lane_is_unrecorded()
    {
        const int customers = 60;
        using var host = await LoyaltyTestHost.StartAsync(_h.Settings(
            email => email.AddFlow("receipt", flow => flow.On("receipt").Transactional().Wait(TimeSpan.FromDays(1)).Send("receipt")),
            services: s =>
            {
                // Observers around the real transport and the EF step store, registered after them so they win.
                s.AddSingleton<IEmailTransport>(sp => new ObservedTransport(sp.GetRequiredService<SmtpEmailTransport>(), _unrecorded));
                s.AddScoped<IScheduledStepStore>(sp => new ObservedSteps(new ScheduledStepStore<LoyaltyDbContext>(sp.GetRequiredService<LoyaltyDbContext>()), _unrecorded));
            }));
        var lanes = host.Services.GetRequiredService<IOptions<EmailOptions>>().Value.Concurrency;
        lanes.Should().Be(8, "the default");
        host.Services.GetRequiredService<IOptions<SmtpOptions>>().Value.PoolSize.Should().Be(4, "the default");
        for (var i = 0; i < customers; i++)
        {
            var id = $"c{i}";
            await EngineHarness.PublishAsync(host, EngineHarness.Custom("receipt", $"receipt-{id}", id, _h.Clock.GetUtcNow(), EngineHarness.Customer($"{id}@example.com", firstName: id)));
        }

        _h.Clock.Advance(TimeSpan.FromDays(1));

        (await EngineHarness.DispatchAsync(host)).Should().Be(customers);

        (await EngineHarness.StepsAsync(host)).Should().HaveCount(customers).And.OnlyContain(s => s.State == StepState.Sent);
        (await _h.Smtp.WaitForMessagesAsync(customers, EngineHarness.MailTimeout)).Select(m => m.To.Mailboxes.Single().Address)
            .Should().OnlyHaveUniqueItems().And.HaveCount(customers);
        _unrecorded.Delivered.Should().Be(customers);
        _unrecorded.Recorded.Should().Be(customers);
        _unrecorded.MostAtOnce.Should().BeInRange(1, lanes);
    }

    /// <summary>Delivered messages whose Sent result is not written yet: counted up by the transport, down by the store.</summary>
    private sealed class Unrecorded
    {
        private readonly Lock _gate = new();
        private int _delivered;
        private int _recorded;
        private int _most;

        public int Delivered { get { lock (_gate) { return _delivered; } } }

        public int Recorded { get { lock (_gate) { return _recorded; } } }

        public int MostAtOnce { get { lock (_gate) { return _most; } } }

        public void OneDelivered()
        {
            lock (_gate)
            {
                _delivered++;
                _most = Math.Max(_most, _delivered - _recorded);
            }
        }

        // Counted before the store call returns to the dispatcher, that is before any lane waiting for these results
        // may send again.
        public void Written(int sent)
        {
            lock (_gate)
            {
                _recorded += sent;
            }
        }
    }

    private sealed class ObservedTransport(IEmailTransport inner, Unrecorded unrecorded) : IEmailTransport
    {
        public async Task<DeliveryResult> SendAsync(MimeMessage message, CancellationToken cancellationToken)
        {
            var result = await inner.SendAsync(message, cancellationToken);
            if (result.Outcome == DeliveryOutcome.Delivered)
            {
                unrecorded.OneDelivered();
            }

            return result;
        }
    }

    private sealed class ObservedSteps(IScheduledStepStore inner, Unrecorded unrecorded) : IScheduledStepStore
    {
        public Task<IReadOnlyList<ScheduledStep>> ClaimDueAsync(DateTimeOffset now, int maxCount, string owner, TimeSpan lease, CancellationToken cancellationToken) =>
            inner.ClaimDueAsync(now, maxCount, owner, lease, cancellationToken);

        public Task<ScheduledStep?> ClaimByIdAsync(Guid id, DateTimeOffset now, string owner, TimeSpan lease, CancellationToken cancellationToken) =>
            inner.ClaimByIdAsync(id, now, owner, lease, cancellationToken);

        public async Task<bool> TryUpdateAsync(ScheduledStep step, int expectedVersion, CancellationToken cancellationToken)
        {
            var written = await inner.TryUpdateAsync(step, expectedVersion, cancellationToken);
            unrecorded.Written(written && step.State == StepState.Sent ? 1 : 0);
            return written;
        }

        public async Task<IReadOnlyList<bool>> TryUpdateManyAsync(IReadOnlyList<StepUpdate> updates, CancellationToken cancellationToken)
        {
            var written = await inner.TryUpdateManyAsync(updates, cancellationToken);
            unrecorded.Written(updates.Where((u, i) => written[i] && u.Step.State == StepState.Sent).Count());
            return written;
        }

        public Task<ScheduledStep?> FindAsync(Guid id, CancellationToken cancellationToken) => inner.FindAsync(id, cancellationToken);

        public Task<IReadOnlyList<ScheduledStep>> QueryAsync(StepQuery query, CancellationToken cancellationToken) => inner.QueryAsync(query, cancellationToken);
    }
}
