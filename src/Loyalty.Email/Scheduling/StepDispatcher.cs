using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using Loyalty.DependencyInjection;
using Loyalty.Email.Composition;
using Loyalty.Email.Consent;
using Loyalty.Email.Delivery;
using Loyalty.Email.Diagnostics;
using Loyalty.Email.Flows;
using Loyalty.Email.Links;
using Loyalty.Links;
using Loyalty.Email.Templates;
using Loyalty.Events;
using Loyalty.Publishing;
using Loyalty.Stores;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Loyalty.Email.Scheduling;

/// <summary>
/// Runs due steps: claims them in batches with a lease, and for each re-checks exit conditions, consent,
/// suppression, frequency cap and quiet hours (holding, never dropping silently), renders, sends and records the
/// outcome with one guarded write. Hangfire is at-least-once; this is what makes the customer see exactly once.
/// </summary>
/// <remarks>
/// The customers, orders and suppressions of a claimed batch are read once for the batch (one statement each), not per
/// step: consent and suppressions are therefore as of the start of the batch, not of each send. A step that starts more
/// than 30 seconds after that read, or whose customer an earlier step of the batch changed (a published event, a
/// credit) or whose address it suppressed (a hard bounce), reads its own just before it sends, as
/// <see cref="RunStepAsync"/> always does. The frequency cap and service-issue reads stay per step.
/// <para>Results are written as a group commit (<see cref="StepResultWriter"/>): the results of steps that finish
/// while a write is under way go out together in one store call. A lane sends its next message only after its
/// previous result is written, so at most <see cref="EmailOptions.Concurrency"/> delivered messages are ever
/// unrecorded, as when every step waited for its own write.</para>
/// </remarks>
public sealed class StepDispatcher : IAsyncDisposable, IDisposable
{
    private readonly IServiceScopeFactory _scopes;
    private readonly FlowRegistry _flows;
    private readonly FlowConditionEvaluator _conditions;
    private readonly TemplateModelFactory _models;
    private readonly IEmailTemplateRenderer _templates;
    private readonly IEmailTransport _transport;
    private readonly IMessageSigner? _signer;
    private readonly SignedLinkTokens _links;
    private readonly ConsentGate _consent;
    private readonly EmailOptions _options;
    private readonly LoyaltyShopOptions _shop;
    private readonly TimeProvider _time;
    private readonly EmailTelemetry _telemetry;
    private readonly ILogger<StepDispatcher> _logger;
    private readonly StepResultWriter _results;
    private readonly string _owner = $"{Environment.MachineName}:{Environment.ProcessId}:{Guid.NewGuid():N}";
    private string? _fromDomain;

    /// <summary>Created by DI.</summary>
    public StepDispatcher(
        IServiceScopeFactory scopes,
        FlowRegistry flows,
        FlowConditionEvaluator conditions,
        TemplateModelFactory models,
        IEmailTemplateRenderer templates,
        IEmailTransport transport,
        IEnumerable<IMessageSigner> signers,
        SignedLinkTokens links,
        ConsentGate consent,
        IOptions<EmailOptions> options,
        IOptions<LoyaltyShopOptions> shop,
        TimeProvider time,
        EmailTelemetry telemetry,
        ILogger<StepDispatcher> logger)
    {
        ArgumentNullException.ThrowIfNull(signers);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(shop);
        _scopes = scopes;
        _flows = flows;
        _conditions = conditions;
        _models = models;
        _templates = templates;
        _transport = transport;
        _signer = signers.LastOrDefault();
        _links = links;
        _consent = consent;
        _options = options.Value;
        _shop = shop.Value;
        _time = time;
        _telemetry = telemetry;
        _logger = logger;
        _results = new StepResultWriter(scopes, time, logger, telemetry);
    }

    /// <summary>Releases the database scope the result writes keep between batches.</summary>
    public ValueTask DisposeAsync() => _results.DisposeAsync();

    /// <inheritdoc cref="DisposeAsync"/>
    public void Dispose() => _results.Dispose();

    /// <summary>Claims and runs due steps until none is due; returns how many were worked on.</summary>
    public async Task<int> DispatchDueAsync(CancellationToken cancellationToken = default)
    {
        var total = 0;
        while (true)
        {
            IReadOnlyList<ScheduledStep> batch;
            await using (var scope = _scopes.CreateAsyncScope())
            {
                var store = scope.ServiceProvider.GetRequiredService<IScheduledStepStore>();
                batch = await store.ClaimDueAsync(_time.GetUtcNow(), _options.BatchSize, _owner, _options.Lease, cancellationToken).ConfigureAwait(false);
            }

            _telemetry.Claimed(batch.Count);
            if (batch.Count == 0)
            {
                // Nothing due: the result writes' scope, and the connection its store may keep open, are not held
                // while the process idles until the next sweep.
                await _results.ReleaseWhenIdleAsync().ConfigureAwait(false);
                return total;
            }

            EmailLog.Claimed(_logger, batch.Count);
            total += batch.Count;
            var reads = await ReadBatchAsync(batch, cancellationToken).ConfigureAwait(false);
            // One customer's steps run one after the other (a frequency cap or a service-recovery cap counts what
            // the step before it sent), customers in parallel. Higher priority first, so under a frequency cap the
            // more important flow wins the slot.
            var perCustomer = new ConcurrentQueue<List<ScheduledStep>>(batch
                .GroupBy(s => s.CustomerId, StringComparer.Ordinal)
                .Select(g => g.OrderByDescending(s => s.Priority).ThenBy(s => s.DueAt).ThenBy(s => s.StepIndex).ThenBy(s => s.Id).ToList()));
            var lanes = new Task[Math.Min(_options.Concurrency, perCustomer.Count)];
            for (var i = 0; i < lanes.Length; i++)
            {
                lanes[i] = Task.Run(() => RunLaneAsync(perCustomer, reads, cancellationToken), cancellationToken);
            }

            await Task.WhenAll(lanes).ConfigureAwait(false);
        }
    }

    /// <summary>Runs one step now if it is claimable (used for immediate steps); false when it was not.</summary>
    public async Task<bool> RunStepAsync(Guid stepId, CancellationToken cancellationToken = default)
    {
        ScheduledStep? step;
        await using (var scope = _scopes.CreateAsyncScope())
        {
            var store = scope.ServiceProvider.GetRequiredService<IScheduledStepStore>();
            step = await store.ClaimByIdAsync(stepId, _time.GetUtcNow(), _owner, _options.Lease, cancellationToken).ConfigureAwait(false);
        }

        if (step is null)
        {
            return false;
        }

        var finished = await RunClaimedAsync(step, null, Task.CompletedTask, null, cancellationToken).ConfigureAwait(false);
        await finished.ConfigureAwait(false);
        return true;
    }

    /// <summary>
    /// One of a batch's <see cref="EmailOptions.Concurrency"/> lanes: takes customers until none is left and runs
    /// each one's steps in order. A step's result is written while the lane renders the next step (the writes of
    /// all lanes go out together, <see cref="StepResultWriter"/>), but the next step sends nothing, and a next step
    /// of the same customer reads nothing, until that result is written: so a frequency cap counts what the step
    /// before sent, and no more than one delivered message per lane is ever unrecorded, as when each step waited
    /// for its own write.
    /// </summary>
    private async Task RunLaneAsync(ConcurrentQueue<List<ScheduledStep>> customers, ClaimedBatchReads? reads, CancellationToken cancellationToken)
    {
        var written = Task.CompletedTask;
        string? customer = null;
        try
        {
            while (customers.TryDequeue(out var steps))
            {
                foreach (var step in steps)
                {
                    written = await RunClaimedAsync(step, reads, written, customer, cancellationToken).ConfigureAwait(false);
                    customer = step.CustomerId;
                }
            }
        }
        finally
        {
            await written.ConfigureAwait(false);
        }
    }

    // Null when the batch read failed: then every step reads its own, as before there were batch reads.
    private async Task<ClaimedBatchReads?> ReadBatchAsync(IReadOnlyList<ScheduledStep> batch, CancellationToken cancellationToken)
    {
        try
        {
            await using var scope = _scopes.CreateAsyncScope();
            var services = scope.ServiceProvider;
            return await ClaimedBatchReads.ReadAsync(
                batch, services.GetRequiredService<ICustomerStore>(), services.GetRequiredService<ISuppressionStore>(), _time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            DispatchLog.BatchReadFailed(_logger, ex, batch.Count);
            return null;
        }
    }

    /// <summary>
    /// Decides and acts on one claimed step and queues its result. Returns once the result is queued; the task it
    /// returns ends when the result is written (or could not be) and logged. <paramref name="previous"/> is the write
    /// of the step run before on this lane: awaited before this one reads anything of its customer when it was the
    /// same customer's, otherwise just before sending, and always before this result is queued.
    /// </summary>
    private async Task<Task> RunClaimedAsync(ScheduledStep step, ClaimedBatchReads? batch, Task previous, string? previousCustomer, CancellationToken cancellationToken)
    {
        using var activity = _telemetry.ActivitySource.StartActivity("loyalty.step", ActivityKind.Internal);
        activity?.SetTag("loyalty.flow", step.FlowId);
        activity?.SetTag("loyalty.step.id", step.Id);
        if (string.Equals(previousCustomer, step.CustomerId, StringComparison.Ordinal))
        {
            await previous.ConfigureAwait(false);
        }

        // A batch shares one lease: a step reached after half of it has run out is left alone (nothing written), so
        // it cannot be sent here while another worker, which claimed it after the lease, sends it too. Checked again
        // just before the send (SendAsync), after the render and the wait for the lane's previous write.
        if (LeaseRunningOut(step))
        {
            EmailLog.StepLeaseRunningOut(_logger, step.Id);
            return previous;
        }

        // The step's own scope, created only if something needs it: a send whose customer, orders and suppressions
        // came with the batch reads nothing else (its result goes out with others' through _results).
        await using var services = new StepServices(_scopes);
        var claimedVersion = step.Version;
        StepDecision decision;
        try
        {
            decision = await DecideAndActAsync(step, batch, services, previous, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // The lease runs out and another attempt follows; a bug in one step never stops the batch.
            EmailLog.StepCrashed(_logger, ex, step.Id, step.FlowId);
            decision = Retry(step, $"error: {ex.GetType().Name}: {ex.Message}");
        }

        if (decision.LeftForLaterClaim)
        {
            EmailLog.StepLeaseRunningOut(_logger, step.Id);
            return previous;
        }

        var leaseEnd = step.AvailableAt;
        var now = _time.GetUtcNow();
        step.State = decision.State;
        step.Reason = decision.Reason;
        step.UpdatedAt = now;
        step.LeaseOwner = null;
        step.AvailableAt = decision.AvailableAt ?? step.AvailableAt;
        if (step.IsTerminal)
        {
            step.CompletedAt = now;
        }

        await previous.ConfigureAwait(false);
        return FinishAsync(step, decision.State, decision.Reason, _results.WriteAsync(step, claimedVersion, leaseEnd));
    }

    private async Task FinishAsync(ScheduledStep step, StepState state, string? reason, Task<bool?> write)
    {
        var written = await write.ConfigureAwait(false);
        if (written is not true)
        {
            if (written is false)
            {
                EmailLog.StepLostLease(_logger, step.Id);
            }

            if (state == StepState.Sent)
            {
                EmailLog.DeliveredResultTooLate(_logger, step.Id, step.MessageId);
            }

            return;
        }

        _telemetry.StepCompleted(state.ToString().ToLowerInvariant(), step.FlowId);
        EmailLog.StepFinished(_logger, step.Id, step.FlowId, state.ToString(), reason);
    }

    private async Task<StepDecision> DecideAndActAsync(ScheduledStep step, ClaimedBatchReads? batch, IServiceProvider services, Task previous, CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        var reads = batch?.For(step, now);
        var flow = _flows.Find(step.FlowId);
        if (flow is null || step.StepIndex >= flow.Steps.Count)
        {
            return StepDecision.Skip("flow-removed");
        }

        var definition = flow.Steps[step.StepIndex];
        var triggerEvent = JsonSerializer.Deserialize<LoyaltyEvent>(step.EventJson)
            ?? throw new InvalidOperationException("The stored trigger event is empty.");
        LoyaltyCustomer? customer;
        IReadOnlyList<CustomerOrder> orders;
        if (reads is not null)
        {
            (customer, orders) = (reads.Customer, reads.Orders);
        }
        else
        {
            var customers = services.GetRequiredService<ICustomerStore>();
            customer = await customers.FindByIdAsync(step.CustomerId, cancellationToken).ConfigureAwait(false);
            orders = await customers.GetOrdersAsync(step.CustomerId, cancellationToken).ConfigureAwait(false);
        }

        if (flow.Id == LoyaltyEmailBuilder.ServiceRecoveryFlowId && triggerEvent is ServiceIssueDetected)
        {
            var issues = await ServiceIssueHistory.ReadAsync(services.GetRequiredService<IScheduledStepStore>(), _flows, step.CustomerId, flow.Id, cancellationToken).ConfigureAwait(false);
            var cap = _options.ServiceRecovery;
            if (ServiceIssueHistory.IsCapped(issues, step.TriggerEventId, cap.MaxPerCustomer, cap.Period))
            {
                return StepDecision.Skip(ServiceRecoveryOptions.CapReason);
            }
        }

        var openIssues = 0;
        if (definition.ExitConditions.Any(c => c is BuiltInFlowCondition { Kind: BuiltInCondition.HasOpenServiceIssue }))
        {
            var all = await ServiceIssueHistory.ReadAsync(services.GetRequiredService<IScheduledStepStore>(), _flows, step.CustomerId, null, cancellationToken).ConfigureAwait(false);
            openIssues = ServiceIssueHistory.Open(all, now, _options.ServiceIssuePause, step.TriggerEventId).Count;
        }

        var context = new FlowConditionContext(triggerEvent, customer, orders, now) { OpenServiceIssues = openIssues };
        TemplateModel? model = null;
        // One signed token per step for the unsubscribe and preferences links and the List-Unsubscribe header.
        string? token = null;
        string UnsubscribeToken(LoyaltyCustomer c) => token ??= IssueUnsubscribeToken(c);
        TemplateModel Model() => model ??= _models.Create(triggerEvent, customer, Links(customer, UnsubscribeToken));

        foreach (var exit in definition.ExitConditions)
        {
            if (_conditions.Holds(exit, context, Model))
            {
                return StepDecision.Skip(exit.Name);
            }
        }

        switch (definition.Action)
        {
            case SendTemplateAction send:
                return await SendAsync(step, flow, send, customer, reads?.Suppressions, batch, Model, UnsubscribeToken, services, previous, cancellationToken).ConfigureAwait(false);
            case IssueCreditAction credit:
                batch?.CustomerChanged(step.CustomerId);
                var issuer = services.GetService<ICreditIssuer>();
                if (issuer is null)
                {
                    return StepDecision.Fail("no ICreditIssuer is registered");
                }

                var issue = triggerEvent as ServiceIssueDetected;
                var issued = await issuer.IssueAsync(
                    new CreditRequest(step.Id.ToString("N"), step.CustomerId, credit.Kind, issue?.SuggestedCredit, issue?.Currency, $"{flow.Id}:{step.TriggerKey}"),
                    cancellationToken).ConfigureAwait(false);
                return StepDecision.Done(issued is null ? "credit issued" : $"credit issued: {issued}");
            case PublishEventAction publish:
                batch?.CustomerChanged(step.CustomerId);
                var publisher = services.GetRequiredService<ILoyaltyPublisher>();
                await publisher.PublishAsync(new CustomEvent
                {
                    EventId = $"step:{step.Id:N}",
                    Name = publish.EventName,
                    CustomerId = step.CustomerId,
                    OccurredAt = now,
                    // The published event carries the trigger's properties on, so a chain of flows keeps its context.
                    Properties = triggerEvent is CustomEvent { Properties.ValueKind: JsonValueKind.Object } custom ? custom.Properties : default,
                }, cancellationToken).ConfigureAwait(false);
                return StepDecision.Done($"published {publish.EventName}");
            default:
                return StepDecision.Fail($"unknown action {definition.Action.GetType().Name}");
        }
    }

    private async Task<StepDecision> SendAsync(
        ScheduledStep step, FlowDefinition flow, SendTemplateAction send, LoyaltyCustomer? customer, IReadOnlyList<Suppression>? suppressed,
        ClaimedBatchReads? batch, Func<TemplateModel> model, Func<LoyaltyCustomer, string> unsubscribeToken, IServiceProvider services, Task previous,
        CancellationToken cancellationToken)
    {
        if (customer is null)
        {
            return StepDecision.Skip("unknown-customer");
        }

        var now = _time.GetUtcNow();
        var gate = suppressed is null
            ? await _consent.CheckAsync(step, customer, now, services, cancellationToken).ConfigureAwait(false)
            : await _consent.CheckAsync(step, customer, suppressed, now, services, cancellationToken).ConfigureAwait(false);
        if (gate.Skip is { } skip)
        {
            return StepDecision.Skip(skip);
        }

        if (gate.HoldUntil is { } until)
        {
            return StepDecision.Hold(until, gate.HoldReason!);
        }

        var locale = customer.Locale ?? _shop.DefaultLocale;
        var content = _templates.Render(send.TemplateName, locale, model());
        var messageId = $"{step.Id:N}@{MessageIdDomain()}";
        var marketing = EmailCategories.IsMarketing(step.Category);
        var unsubscribe = marketing ? UnsubscribeUrl(unsubscribeToken(customer)) : null;
        var message = EmailMessageComposer.Compose(content, new Envelope(
            flow.From ?? _options.From, flow.ReplyTo ?? _options.ReplyTo, customer.Email,
            string.Join(' ', new[] { customer.FirstName, customer.LastName }.Where(n => !string.IsNullOrWhiteSpace(n))),
            messageId, unsubscribe, now));
        _signer?.Sign(message);

        // Nothing is sent while the lane's previous delivery may still be unrecorded (see RunLaneAsync).
        await previous.ConfigureAwait(false);

        // The point of no return: the render and that wait may have taken the lease below half (a stalled process, a
        // slow write), and past its end another worker may claim this step and send it too.
        if (LeaseRunningOut(step))
        {
            return StepDecision.LeaveForLaterClaim;
        }

        step.MessageId = messageId;
        var started = _time.GetTimestamp();
        var result = await _transport.SendAsync(message, cancellationToken).ConfigureAwait(false);
        _telemetry.Delivered(result.Outcome, _time.GetElapsedTime(started).TotalMilliseconds);
        switch (result.Outcome)
        {
            case DeliveryOutcome.Delivered:
                return StepDecision.Done(null);
            case DeliveryOutcome.PermanentFailure:
                if (result.HardBounce)
                {
                    batch?.AddressChanged(customer.NormalizedEmail);
                    var suppressions = services.GetRequiredService<ISuppressionStore>();
                    await suppressions.AddAsync(new Suppression { NormalizedEmail = customer.NormalizedEmail, Category = ConsentGate.All, Reason = "hard-bounce", CreatedAt = now }, cancellationToken).ConfigureAwait(false);
                }

                return StepDecision.Fail($"rejected: {result.Reason}");
            default:
                return Retry(step, $"transient: {result.Reason}");
        }
    }

    private StepDecision Retry(ScheduledStep step, string reason)
    {
        var now = _time.GetUtcNow();
        if (now - step.DueAt > _options.GiveUpAfter)
        {
            return StepDecision.Fail($"gave up after {step.Attempts} attempts: {reason}");
        }

        var exponent = Math.Clamp(step.Attempts - 1, 0, 20);
        var delay = TimeSpan.FromTicks(Math.Min(_options.MaxRetryDelay.Ticks, _options.FirstRetryDelay.Ticks * (1L << exponent)));
        return StepDecision.Hold(now + delay, reason);
    }

    private Dictionary<string, object?> Links(LoyaltyCustomer? customer, Func<LoyaltyCustomer, string> unsubscribeToken)
    {
        var links = new Dictionary<string, object?> { ["shop"] = _shop.BaseUrl.AbsoluteUri };
        if (customer is not null)
        {
            var token = unsubscribeToken(customer);
            links["unsubscribe"] = UnsubscribeUrl(token).AbsoluteUri;
            links["preferences"] = new Uri(_shop.BaseUrl, $"{_options.PreferencesPath.Trim('/')}/{token}").AbsoluteUri;
        }

        return links;
    }

    private Uri UnsubscribeUrl(string token) => new(_shop.BaseUrl, $"{_options.UnsubscribePath.Trim('/')}/{token}");

    private string IssueUnsubscribeToken(LoyaltyCustomer customer) => _links.Issue(LinkPurpose.Unsubscribe, customer.CustomerId, TimeSpan.FromDays(400));

    private string MessageIdDomain() => _options.MessageIdDomain is { Length: > 0 } domain ? domain : _fromDomain ??= FromDomain();

    // Parsed once, not per send (the options do not change); lazily, so a From that does not parse fails the sends
    // (retried, logged), as before, rather than the resolution of the dispatcher.
    private string FromDomain()
    {
        var from = MimeKit.MailboxAddress.Parse(_options.From).Address;
        return from[(from.LastIndexOf('@') + 1)..];
    }

    private bool LeaseRunningOut(ScheduledStep step) => step.AvailableAt - _time.GetUtcNow() < _options.Lease / 2;

    // LeftForLaterClaim: nothing was done and nothing is written; the step waits for its lease to end.
    private readonly record struct StepDecision(StepState State, string? Reason, DateTimeOffset? AvailableAt, bool LeftForLaterClaim = false)
    {
        public static readonly StepDecision LeaveForLaterClaim = new(default, null, null, LeftForLaterClaim: true);

        public static StepDecision Done(string? reason) => new(StepState.Sent, reason, null);

        public static StepDecision Skip(string reason) => new(StepState.Skipped, reason, null);

        public static StepDecision Fail(string reason) => new(StepState.Failed, reason, null);

        public static StepDecision Hold(DateTimeOffset until, string reason) => new(StepState.Held, reason, until);
    }
}
