using Loyalty.Email;
using Loyalty.Email.Templates;
using Loyalty.EntityFrameworkCore;
using Loyalty.EntityFrameworkCore.Stores;
using Loyalty.IntegrationTests.Hosting;
using Loyalty.IntegrationTests.Infrastructure;
using Loyalty.Stores;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Loyalty.IntegrationTests.EmailEngine;

/// <summary>
/// Acceptance: a claimed step is sent only while more than half of its lease is left at the moment of sending, not
/// only when the dispatcher reaches it. A step whose lease fell below half while it was rendered and waited for the
/// lane's previous result to be written (a stalled process, a slow database) sends nothing and writes nothing; it is
/// claimed again once its lease has ended and is delivered once. Past the lease's end another worker may claim the
/// step, so sending it late is how one e-mail reaches a customer twice (docs/operations.md item 5).
/// </summary>
[Collection("smtp")]
public sealed class LeaseAtTheSendAcceptanceTests : IDisposable
{
    private static readonly DateTimeOffset Start = new(2026, 3, 2, 10, 0, 0, TimeSpan.FromHours(8));
    private readonly EngineHarness _h;

    public LeaseAtTheSendAcceptanceTests(SmtpServerFixture smtp)
    {
        smtp.Clear();
        _h = new EngineHarness(smtp, Start);
        _h.SimpleTemplate("receipt", "transactional", "Receipt for {{ customer.first_name }}", "<p>Thanks, {{ customer.first_name }}.</p>");
    }

    public void Dispose() => _h.Dispose();

    [Fact]
    public async Task A_step_whose_lease_falls_below_half_before_its_send_is_not_sent_then_and_is_delivered_once_after_the_lease()
    {
        var stall = new StallAfterSecondRender(_h.Clock);
        using var host = await LoyaltyTestHost.StartAsync(_h.Settings(
            // One lane: the second step renders while the first one's result is being written, then waits for it.
            email => email
                .Configure(o => o.Concurrency = 1)
                .AddFlow("receipt", flow => flow.On("receipt").Transactional().Wait(TimeSpan.FromDays(1)).Send("receipt")),
            services: s =>
            {
                var renderer = s.Last(d => d.ServiceType == typeof(IEmailTemplateRenderer)).ImplementationType!;
                s.AddSingleton(renderer);
                s.AddSingleton<IEmailTemplateRenderer>(sp => new ObservedRenderer((IEmailTemplateRenderer)sp.GetRequiredService(renderer), stall));
                s.AddScoped<IScheduledStepStore>(sp => new StalledWrites(new ScheduledStepStore<LoyaltyDbContext>(sp.GetRequiredService<LoyaltyDbContext>()), stall));
            }));
        var lease = host.Services.GetRequiredService<IOptions<EmailOptions>>().Value.Lease;
        foreach (var id in new[] { "c1", "c2" })
        {
            await EngineHarness.PublishAsync(host, EngineHarness.Custom("receipt", $"receipt-{id}", id, _h.Clock.GetUtcNow(), EngineHarness.Customer($"{id}@example.com", firstName: id)));
        }

        _h.Clock.Advance(TimeSpan.FromDays(1));
        stall.Arm(lease * 0.6);

        (await EngineHarness.DispatchAsync(host)).Should().Be(2, "both steps were claimed in one batch");

        stall.Stalls.Should().Be(1);
        var steps = await EngineHarness.StepsAsync(host);
        var sent = steps.Should().ContainSingle(s => s.State == StepState.Sent, "the first step was sent with its lease whole").Which;
        var left = steps.Single(s => s.Id != sent.Id);
        left.State.Should().Be(StepState.Scheduled, "nothing was written for the step left for a later claim");
        left.MessageId.Should().BeNull();
        left.LeaseOwner.Should().NotBeNull("it stays leased until its lease ends");
        (await _h.Smtp.ReadMessagesAsync()).Select(m => m.To.Mailboxes.Single().Address).Should().Equal($"{sent.CustomerId}@example.com");

        (await EngineHarness.DispatchAsync(host)).Should().Be(0, "the left step is claimable only after its lease");
        _h.Clock.Advance(lease - stall.By);
        (await EngineHarness.DispatchAsync(host)).Should().Be(1);

        (await EngineHarness.StepsAsync(host)).Should().OnlyContain(s => s.State == StepState.Sent);
        (await _h.Smtp.ReadMessagesAsync()).Select(m => m.To.Mailboxes.Single().Address)
            .Should().BeEquivalentTo("c1@example.com", "c2@example.com").And.OnlyHaveUniqueItems();
    }

    /// <summary>
    /// Once armed, moves the clock on by <see cref="By"/> while the first result is written, after the second step
    /// has rendered: so the second step passed the check when it was reached and meets the stall while it waits to send.
    /// </summary>
    private sealed class StallAfterSecondRender(FakeTimeProvider clock)
    {
        private readonly TaskCompletionSource _secondRender = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _renders;
        private int _stalls;

        public TimeSpan By { get; private set; }

        public int Stalls => _stalls;

        // Set before the dispatch starts its lanes; zero until then, so start-up and publishing pass through.
        public void Arm(TimeSpan by) => By = by;

        public void Rendered()
        {
            if (By > TimeSpan.Zero && Interlocked.Increment(ref _renders) == 2)
            {
                _secondRender.TrySetResult();
            }
        }

        public async Task BeforeWriteAsync()
        {
            if (By > TimeSpan.Zero && Interlocked.CompareExchange(ref _stalls, 1, 0) == 0)
            {
                await _secondRender.Task.WaitAsync(TimeSpan.FromSeconds(30));
                clock.Advance(By);
            }
        }
    }

    private sealed class ObservedRenderer(IEmailTemplateRenderer inner, StallAfterSecondRender stall) : IEmailTemplateRenderer
    {
        public bool Exists(string templateName) => inner.Exists(templateName);

        public RenderedEmail Render(string templateName, string locale, TemplateModel model)
        {
            var rendered = inner.Render(templateName, locale, model);
            stall.Rendered();
            return rendered;
        }
    }

    private sealed class StalledWrites(IScheduledStepStore inner, StallAfterSecondRender stall) : StepStoreDecorator(inner)
    {
        public override async Task<bool> TryUpdateAsync(ScheduledStep step, int expectedVersion, CancellationToken cancellationToken)
        {
            await stall.BeforeWriteAsync();
            return await Inner.TryUpdateAsync(step, expectedVersion, cancellationToken);
        }

        public override async Task<IReadOnlyList<bool>> TryUpdateManyAsync(IReadOnlyList<StepUpdate> updates, CancellationToken cancellationToken)
        {
            await stall.BeforeWriteAsync();
            return await Inner.TryUpdateManyAsync(updates, cancellationToken);
        }
    }
}
