using Loyalty.Email.Consent;
using Loyalty.Email.Flows;
using Loyalty.Email.Stores.InMemory;
using Loyalty.Events;
using Loyalty.Stores;
using Microsoft.Extensions.Options;

namespace Loyalty.Email.Tests.Engine;

public sealed class ConsentGateTests
{
    // 10:00 in Taipei: outside quiet hours.
    private static readonly DateTimeOffset Now = new(2026, 3, 2, 10, 0, 0, TimeSpan.FromHours(8));
    private readonly InMemoryLoyaltyStore _store = new();
    private readonly EmailOptions _options = new();

    private ConsentGate Gate(FlowRegistry? flows = null) => new(Options.Create(_options), flows);

    private static LoyaltyCustomer Customer(bool? consent = true) => new()
    {
        CustomerId = "c1",
        Email = "mei@example.com",
        NormalizedEmail = "mei@example.com",
        TimeZone = "Asia/Taipei",
        MarketingConsent = consent,
    };

    private static ScheduledStep Step(string category = EmailCategories.Marketing, string flowId = "promo", StepState state = StepState.Scheduled, DateTimeOffset? completedAt = null, DateTimeOffset? trigger = null) => new()
    {
        Id = Guid.NewGuid(),
        DedupeKey = Guid.NewGuid().ToString("N"),
        FlowId = flowId,
        CustomerId = "c1",
        TriggerEventId = "e-" + Guid.NewGuid().ToString("N"),
        TriggerOccurredAt = trigger ?? Now,
        EventJson = "{}",
        Category = category,
        DueAt = trigger ?? Now,
        AvailableAt = trigger ?? Now,
        State = state,
        CompletedAt = completedAt,
        CreatedAt = trigger ?? Now,
    };

    private Task<ConsentDecision> CheckAsync(ScheduledStep step, LoyaltyCustomer customer, DateTimeOffset? now = null, FlowRegistry? flows = null)
        => Gate(flows).CheckAsync(step, customer, now ?? Now, new Services(_store), CancellationToken.None);

    private async Task AddAsync(params ScheduledStep[] steps)
    {
        var changes = new IntakeChangeSet();
        changes.Events.Add(new ProcessedEvent { EventId = Guid.NewGuid().ToString("N"), EventType = "x", CustomerId = "c1" });
        changes.Steps.AddRange(steps);
        (await _store.CommitAsync(changes, CancellationToken.None)).Should().Be(IntakeCommitResult.Committed);
    }

    [Fact]
    public async Task Marketing_to_a_customer_who_consented_goes_ahead()
    {
        (await CheckAsync(Step(), Customer())).Should().Be(ConsentDecision.Allow);
    }

    [Fact]
    public async Task Marketing_without_consent_is_skipped_but_transactional_mail_goes_ahead()
    {
        (await CheckAsync(Step(), Customer(consent: null))).Skip.Should().Be("no-marketing-consent");
        (await CheckAsync(Step(EmailCategories.Transactional), Customer(consent: false))).Should().Be(ConsentDecision.Allow);
    }

    [Fact]
    public async Task A_marketing_unsubscribe_skips_marketing_and_its_topics_but_not_transactional_mail()
    {
        await _store.AddAsync(new Suppression { NormalizedEmail = "mei@example.com", Category = "marketing", Reason = "unsubscribed" }, CancellationToken.None);

        (await CheckAsync(Step(), Customer())).Skip.Should().Be("suppressed: unsubscribed");
        (await CheckAsync(Step("marketing:news"), Customer())).Skip.Should().Be("suppressed: unsubscribed");
        (await CheckAsync(Step(EmailCategories.Transactional), Customer())).Should().Be(ConsentDecision.Allow);
    }

    [Fact]
    public async Task A_topic_unsubscribe_covers_that_topic_only()
    {
        await _store.AddAsync(new Suppression { NormalizedEmail = "mei@example.com", Category = "marketing:news", Reason = "unsubscribed" }, CancellationToken.None);

        (await CheckAsync(Step("marketing:news"), Customer())).Skip.Should().NotBeNull();
        (await CheckAsync(Step("marketing:tips"), Customer())).Should().Be(ConsentDecision.Allow);
    }

    [Fact]
    public async Task Suppressions_read_before_are_checked_as_given_and_not_read_again()
    {
        // The store has an unsubscribe the caller's earlier read did not see, and the other way round.
        await _store.AddAsync(new Suppression { NormalizedEmail = "mei@example.com", Category = "marketing", Reason = "unsubscribed" }, CancellationToken.None);
        Suppression[] bounced = [new() { NormalizedEmail = "mei@example.com", Category = ConsentGate.All, Reason = "hard-bounce" }];

        (await Gate().CheckAsync(Step(), Customer(), [], Now, new Services(_store), CancellationToken.None)).Should().Be(ConsentDecision.Allow);
        (await Gate().CheckAsync(Step(EmailCategories.Transactional), Customer(), bounced, Now, new Services(_store), CancellationToken.None))
            .Skip.Should().Be("suppressed: hard-bounce");
        await FluentActions.Awaiting(() => Gate().CheckAsync(Step(), Customer(), null!, Now, new Services(_store), CancellationToken.None))
            .Should().ThrowAsync<ArgumentNullException>().WithParameterName("suppressions");
    }

    [Fact]
    public async Task With_suppressions_read_before_the_frequency_cap_is_still_read_per_send()
    {
        _options.FrequencyCap.MaxSends = 1;
        await AddAsync(Step(state: StepState.Sent, completedAt: Now.AddHours(-1)));

        var decision = await Gate().CheckAsync(Step(), Customer(), [], Now, new Services(_store), CancellationToken.None);

        decision.HoldReason.Should().Be("frequency-cap");
    }

    [Fact]
    public async Task A_hard_bounce_stops_transactional_mail_too()
    {
        await _store.AddAsync(new Suppression { NormalizedEmail = "mei@example.com", Category = ConsentGate.All, Reason = "hard-bounce" }, CancellationToken.None);

        (await CheckAsync(Step(EmailCategories.Transactional), Customer())).Skip.Should().Be("suppressed: hard-bounce");
    }

    [Fact]
    public async Task Marketing_in_quiet_hours_is_held_until_they_end_in_the_customers_zone()
    {
        var late = new DateTimeOffset(2026, 3, 2, 23, 0, 0, TimeSpan.FromHours(8));

        var decision = await CheckAsync(Step(), Customer(), late);

        decision.Skip.Should().BeNull();
        decision.HoldReason.Should().Be("quiet-hours");
        decision.HoldUntil.Should().Be(new DateTimeOffset(2026, 3, 3, 8, 0, 0, TimeSpan.FromHours(8)));
        (await CheckAsync(Step(EmailCategories.Transactional), Customer(), late)).Should().Be(ConsentDecision.Allow);
    }

    [Fact]
    public async Task The_frequency_cap_holds_the_fourth_marketing_send_until_the_oldest_leaves_the_window()
    {
        await AddAsync(
            Step(state: StepState.Sent, completedAt: Now.AddDays(-6)),
            Step(state: StepState.Sent, completedAt: Now.AddDays(-2)),
            Step(state: StepState.Sent, completedAt: Now.AddHours(-1)),
            Step(state: StepState.Sent, completedAt: Now.AddDays(-8)),
            Step(EmailCategories.Transactional, state: StepState.Sent, completedAt: Now.AddMinutes(-1)));

        var decision = await CheckAsync(Step(), Customer());

        decision.HoldReason.Should().Be("frequency-cap");
        decision.HoldUntil.Should().Be(Now.AddDays(1));
        (await CheckAsync(Step(), Customer(), Now.AddDays(1))).Should().Be(ConsentDecision.Allow, "the oldest send left the 7-day window at that instant");
    }

    [Fact]
    public async Task Marketing_pauses_after_a_service_issue_and_resumes_when_the_pause_ends()
    {
        var flows = new FlowRegistry(
            [new FlowBuilder("service-recovery").On(EventTypes.ServiceIssueDetected).Transactional().Send("apology").Build()],
            templates: null, liquid: null);
        await AddAsync(Step(EmailCategories.Transactional, "service-recovery", StepState.Sent, Now.AddDays(-3), trigger: Now.AddDays(-3)));

        var decision = await CheckAsync(Step(), Customer(), flows: flows);

        decision.HoldReason.Should().Be(ConsentGate.ServiceIssuePauseReason);
        decision.HoldUntil.Should().Be(Now.AddDays(-3) + _options.ServiceIssuePause);
        (await CheckAsync(Step(EmailCategories.Transactional), Customer(), flows: flows)).Should().Be(ConsentDecision.Allow);
        (await CheckAsync(Step(), Customer(), Now.AddDays(11), flows)).Should().Be(ConsentDecision.Allow);
    }

    [Fact]
    public void Quiet_hours_that_do_not_cross_midnight_are_honoured_too()
    {
        _options.QuietHours.Start = new TimeOnly(12, 0);
        _options.QuietHours.End = new TimeOnly(14, 0);
        var gate = Gate();

        gate.QuietUntil(new DateTimeOffset(2026, 3, 2, 13, 0, 0, TimeSpan.FromHours(8)), "Asia/Taipei").Should().Be(new DateTimeOffset(2026, 3, 2, 14, 0, 0, TimeSpan.FromHours(8)));
        gate.QuietUntil(new DateTimeOffset(2026, 3, 2, 14, 0, 0, TimeSpan.FromHours(8)), "Asia/Taipei").Should().BeNull();
    }

    private sealed class Services(InMemoryLoyaltyStore store) : IServiceProvider
    {
        public object? GetService(Type serviceType)
            => serviceType == typeof(ISuppressionStore) || serviceType == typeof(IScheduledStepStore) ? store : null;
    }
}
