using Loyalty.Email;
using Loyalty.Email.Delivery;
using Loyalty.EntityFrameworkCore;
using Loyalty.EntityFrameworkCore.Stores;
using Loyalty.IntegrationTests.Hosting;
using Loyalty.IntegrationTests.Infrastructure;
using Loyalty.Stores;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using MimeKit;

namespace Loyalty.IntegrationTests.EmailEngine;

/// <summary>
/// Acceptance: the dispatch reads the customers, orders and suppressions of a claimed batch at once, and every
/// step of the batch still honours the suppressions and consent present at the claim, and a hard bounce earlier in
/// the same batch. With the default of twice as many lanes as SMTP connections (8 on 4), every step of a batch is
/// sent once and no more delivered messages than lanes ever wait for their result to be written — the bound a worker
/// killed mid-batch re-sends at most (docs/operations.md items 5 and 7).
/// </summary>
[Collection("smtp")]
public sealed class BatchDispatchAcceptanceTests : IDisposable
{
    private static readonly DateTimeOffset Start = new(2026, 3, 2, 10, 0, 0, TimeSpan.FromHours(8));
    private readonly EngineHarness _h;
    private readonly ReadCounts _reads = new();
    private readonly Unrecorded _unrecordedSends = new();

    public BatchDispatchAcceptanceTests(SmtpServerFixture smtp)
    {
        smtp.Clear();
        _h = new EngineHarness(smtp, Start);
        _h.SimpleTemplate("promo", "marketing", "News for {{ customer.first_name }}", "<p>Hi {{ customer.first_name }}.</p>");
        _h.SimpleTemplate("receipt", "transactional", "Receipt for {{ customer.first_name }}", "<p>Thanks, {{ customer.first_name }}.</p>");
    }

    public void Dispose() => _h.Dispose();

    private Task<IHost> StartAsync(SmtpServerFixture? smtp = null, int? cap = null) => LoyaltyTestHost.StartAsync(_h.Settings(
        email => email
            .Configure(o => o.FrequencyCap.MaxSends = cap ?? o.FrequencyCap.MaxSends)
            .AddFlow("promo", flow => flow.On("promo").Marketing().Wait(TimeSpan.FromDays(1)).Send("promo"))
            .AddFlow("vip", flow => flow.On("vip").Marketing().WithPriority(10).Wait(TimeSpan.FromDays(1)).Send("promo"))
            .AddFlow("receipt", flow => flow.On("receipt").Transactional().Wait(TimeSpan.FromDays(1)).Send("receipt")),
        services: s =>
        {
            // Counting decorators over the EF stores, registered after them so they win.
            s.AddScoped<ICustomerStore>(sp => new CountingCustomers(new CustomerStore<LoyaltyDbContext>(sp.GetRequiredService<LoyaltyDbContext>()), _reads));
            s.AddScoped<ISuppressionStore>(sp => new CountingSuppressions(
                new SuppressionStore<LoyaltyDbContext>(sp.GetRequiredService<LoyaltyDbContext>(), sp.GetRequiredService<IOptions<LoyaltyEntityFrameworkCoreOptions>>()), _reads));
        },
        smtp: smtp));

    private Task PublishAsync(IHost host, string name, string customerId, string? eventId = null) => EngineHarness.PublishAsync(
        host, EngineHarness.Custom(name, eventId ?? $"{name}-{customerId}", customerId, _h.Clock.GetUtcNow(), EngineHarness.Customer($"{customerId}@example.com", firstName: customerId)));

    private static async Task SuppressAsync(IHost host, string customerId, string category, string reason)
    {
        await using var scope = host.Services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<ISuppressionStore>().AddAsync(
            new Suppression { NormalizedEmail = $"{customerId}@example.com", Category = category, Reason = reason, CreatedAt = Start }, CancellationToken.None);
    }

    [Fact]
    public async Task Suppressions_present_when_a_batch_is_claimed_are_honoured_for_every_step_of_it_read_once_for_the_batch()
    {
        using var host = await StartAsync();
        foreach (var customer in new[] { "c1", "c2", "c3", "c4", "c5" })
        {
            await PublishAsync(host, "promo", customer);
            await PublishAsync(host, "receipt", customer);
        }

        await SuppressAsync(host, "c2", "marketing", "unsubscribed");
        await SuppressAsync(host, "c3", "*", "hard-bounce");
        await SuppressAsync(host, "c4", "transactional", "complained");
        _h.Clock.Advance(TimeSpan.FromDays(1));
        _reads.Reset();

        (await EngineHarness.DispatchAsync(host)).Should().Be(10);

        var steps = await EngineHarness.StepsAsync(host);
        string Outcome(string customerId, string flowId)
        {
            var step = steps.Single(s => s.CustomerId == customerId && s.FlowId == flowId);
            return step.State == StepState.Sent ? "sent" : $"{step.State}: {step.Reason}";
        }

        new[] { Outcome("c1", "promo"), Outcome("c1", "receipt") }.Should().Equal("sent", "sent");
        new[] { Outcome("c2", "promo"), Outcome("c2", "receipt") }.Should().Equal("Skipped: suppressed: unsubscribed", "sent");
        new[] { Outcome("c3", "promo"), Outcome("c3", "receipt") }.Should().Equal("Skipped: suppressed: hard-bounce", "Skipped: suppressed: hard-bounce");
        new[] { Outcome("c4", "promo"), Outcome("c4", "receipt") }.Should().Equal("sent", "Skipped: suppressed: complained");
        new[] { Outcome("c5", "promo"), Outcome("c5", "receipt") }.Should().Equal("sent", "sent");
        var messages = await _h.Smtp.WaitForMessagesAsync(6, EngineHarness.MailTimeout);
        messages.Select(m => $"{m.To.Mailboxes.Single().Address} {m.Subject}").Should().BeEquivalentTo(
            "c1@example.com News for c1", "c1@example.com Receipt for c1", "c2@example.com Receipt for c2",
            "c4@example.com News for c4", "c5@example.com News for c5", "c5@example.com Receipt for c5");
        _reads.Snapshot().Should().Be(new ReadSnapshot(CustomerBatches: 1, OrderBatches: 1, SuppressionBatches: 1, SingleCustomers: 0, SingleOrders: 0, SingleSuppressions: 0),
            "the ten steps of the batch share three reads");
    }

    [Fact]
    public async Task A_hard_bounce_earlier_in_a_batch_is_honoured_by_the_later_steps_to_that_address()
    {
        await using var smtp = await SmtpServerFixture.StartAsync(new SmtpServerOptions { RejectRecipientSubstrings = ["bounce"] });
        using var host = await StartAsync(smtp);
        await PublishAsync(host, "receipt", "bounce", "receipt-1");
        await PublishAsync(host, "receipt", "bounce", "receipt-2");
        await PublishAsync(host, "receipt", "ok");
        _h.Clock.Advance(TimeSpan.FromDays(1));
        _reads.Reset();

        (await EngineHarness.DispatchAsync(host)).Should().Be(3);

        var bounced = (await EngineHarness.StepsAsync(host)).Where(s => s.CustomerId == "bounce").ToList();
        bounced.Should().ContainSingle(s => s.State == StepState.Failed).Which.Reason.Should().StartWith("rejected:").And.Contain("550");
        bounced.Should().ContainSingle(s => s.State == StepState.Skipped).Which.Reason.Should().Be("suppressed: hard-bounce");
        (await smtp.WaitForMessagesAsync(1, EngineHarness.MailTimeout)).Should().ContainSingle()
            .Which.To.Mailboxes.Single().Address.Should().Be("ok@example.com");
        _reads.Snapshot().SingleSuppressions.Should().Be(1, "the step after the bounce reads the address's suppressions again");
    }

    [Fact]
    public async Task Under_a_frequency_cap_the_higher_priority_step_of_a_customer_in_the_batch_wins_and_the_cap_counts_the_send_before()
    {
        using var host = await StartAsync(cap: 1);
        await PublishAsync(host, "promo", "c1");
        await PublishAsync(host, "vip", "c1");
        await PublishAsync(host, "promo", "c2");
        _h.Clock.Advance(TimeSpan.FromDays(1));
        _reads.Reset();

        (await EngineHarness.DispatchAsync(host)).Should().Be(3);

        var steps = await EngineHarness.StepsAsync(host);
        steps.Single(s => s.CustomerId == "c1" && s.FlowId == "vip").State.Should().Be(StepState.Sent);
        var held = steps.Single(s => s.CustomerId == "c1" && s.FlowId == "promo");
        held.State.Should().Be(StepState.Held);
        held.Reason.Should().Be("frequency-cap");
        steps.Single(s => s.CustomerId == "c2").State.Should().Be(StepState.Sent);
        (await _h.Smtp.WaitForMessagesAsync(2, EngineHarness.MailTimeout)).Select(m => m.To.Mailboxes.Single().Address)
            .Should().BeEquivalentTo("c1@example.com", "c2@example.com");
        _reads.Snapshot().Should().Be(new ReadSnapshot(1, 1, 1, 0, 0, 0));
    }

    [Fact]
    public async Task With_the_default_lanes_beyond_the_pool_every_step_is_sent_once_and_at_most_one_delivery_per_lane_is_unrecorded()
    {
        const int customers = 60;
        using var host = await LoyaltyTestHost.StartAsync(_h.Settings(
            email => email.AddFlow("receipt", flow => flow.On("receipt").Transactional().Wait(TimeSpan.FromDays(1)).Send("receipt")),
            services: s =>
            {
                // Observers around the real transport and the EF step store, registered after them so they win.
                s.AddSingleton<IEmailTransport>(sp => new ObservedTransport(sp.GetRequiredService<SmtpEmailTransport>(), _unrecordedSends));
                s.AddScoped<IScheduledStepStore>(sp => new ObservedSteps(new ScheduledStepStore<LoyaltyDbContext>(sp.GetRequiredService<LoyaltyDbContext>()), _unrecordedSends));
            }));
        var lanes = host.Services.GetRequiredService<IOptions<EmailOptions>>().Value.Concurrency;
        lanes.Should().Be(16, "the default");
        host.Services.GetRequiredService<IOptions<SmtpOptions>>().Value.PoolSize.Should().Be(8, "the default");
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
        _unrecordedSends.Delivered.Should().Be(customers);
        _unrecordedSends.Recorded.Should().Be(customers);
        _unrecordedSends.MostAtOnce.Should().BeInRange(1, lanes);
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

    private sealed class ObservedSteps(IScheduledStepStore inner, Unrecorded unrecorded) : StepStoreDecorator(inner)
    {
        public override async Task<bool> TryUpdateAsync(ScheduledStep step, int expectedVersion, CancellationToken cancellationToken)
        {
            var written = await Inner.TryUpdateAsync(step, expectedVersion, cancellationToken);
            unrecorded.Written(written && step.State == StepState.Sent ? 1 : 0);
            return written;
        }

        public override async Task<IReadOnlyList<bool>> TryUpdateManyAsync(IReadOnlyList<StepUpdate> updates, CancellationToken cancellationToken)
        {
            var written = await Inner.TryUpdateManyAsync(updates, cancellationToken);
            unrecorded.Written(updates.Where((u, i) => written[i] && u.Step.State == StepState.Sent).Count());
            return written;
        }
    }

    private sealed record ReadSnapshot(int CustomerBatches, int OrderBatches, int SuppressionBatches, int SingleCustomers, int SingleOrders, int SingleSuppressions);

    private sealed class ReadCounts
    {
        private int _customerBatches;
        private int _orderBatches;
        private int _suppressionBatches;
        private int _singleCustomers;
        private int _singleOrders;
        private int _singleSuppressions;

        public void CustomerBatch() => Interlocked.Increment(ref _customerBatches);

        public void OrderBatch() => Interlocked.Increment(ref _orderBatches);

        public void SuppressionBatch() => Interlocked.Increment(ref _suppressionBatches);

        public void SingleCustomer() => Interlocked.Increment(ref _singleCustomers);

        public void SingleOrders() => Interlocked.Increment(ref _singleOrders);

        public void SingleSuppressions() => Interlocked.Increment(ref _singleSuppressions);

        public void Reset() => _customerBatches = _orderBatches = _suppressionBatches = _singleCustomers = _singleOrders = _singleSuppressions = 0;

        public ReadSnapshot Snapshot() => new(_customerBatches, _orderBatches, _suppressionBatches, _singleCustomers, _singleOrders, _singleSuppressions);
    }

    private sealed class CountingCustomers(ICustomerStore inner, ReadCounts counts) : ICustomerStore
    {
        public Task<LoyaltyCustomer?> FindByIdAsync(string customerId, CancellationToken cancellationToken)
        {
            counts.SingleCustomer();
            return inner.FindByIdAsync(customerId, cancellationToken);
        }

        public Task<IReadOnlyList<CustomerOrder>> GetOrdersAsync(string customerId, CancellationToken cancellationToken)
        {
            counts.SingleOrders();
            return inner.GetOrdersAsync(customerId, cancellationToken);
        }

        public Task<IReadOnlyDictionary<string, LoyaltyCustomer>> FindByIdsAsync(IReadOnlyCollection<string> customerIds, CancellationToken cancellationToken)
        {
            counts.CustomerBatch();
            return inner.FindByIdsAsync(customerIds, cancellationToken);
        }

        public Task<IReadOnlyDictionary<string, IReadOnlyList<CustomerOrder>>> GetOrdersAsync(IReadOnlyCollection<string> customerIds, CancellationToken cancellationToken)
        {
            counts.OrderBatch();
            return inner.GetOrdersAsync(customerIds, cancellationToken);
        }
    }

    private sealed class CountingSuppressions(ISuppressionStore inner, ReadCounts counts) : ISuppressionStore
    {
        public Task<IReadOnlyList<Suppression>> GetAsync(string normalizedEmail, CancellationToken cancellationToken)
        {
            counts.SingleSuppressions();
            return inner.GetAsync(normalizedEmail, cancellationToken);
        }

        public Task<IReadOnlyDictionary<string, IReadOnlyList<Suppression>>> GetAsync(IReadOnlyCollection<string> normalizedEmails, CancellationToken cancellationToken)
        {
            counts.SuppressionBatch();
            return inner.GetAsync(normalizedEmails, cancellationToken);
        }

        public Task AddAsync(Suppression suppression, CancellationToken cancellationToken) => inner.AddAsync(suppression, cancellationToken);

        public Task RemoveAsync(string normalizedEmail, string category, CancellationToken cancellationToken) => inner.RemoveAsync(normalizedEmail, category, cancellationToken);
    }
}
