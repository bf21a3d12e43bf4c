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
/// </remarks>
public sealed class StepDispatcher
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
    private readonly string _owner = $"{Environment.MachineName}:{Environment.ProcessId}:{Guid.NewGuid():N}";

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
    }

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
                return total;
            }

            EmailLog.Claimed(_logger, batch.Count);
            total += batch.Count;
            var reads = await ReadBatchAsync(batch, cancellationToken).ConfigureAwait(false);
            // One customer's steps run one after the other (a frequency cap or a service-recovery cap counts what
            // the step before it sent), customers in parallel. Higher priority first, so under a frequency cap the
            // more important flow wins the slot.
            var perCustomer = batch
                .GroupBy(s => s.CustomerId, StringComparer.Ordinal)
                .Select(g => g.OrderByDescending(s => s.Priority).ThenBy(s => s.DueAt).ThenBy(s => s.StepIndex).ThenBy(s => s.Id).ToList())
                .ToList();
            await Parallel.ForEachAsync(perCustomer, new ParallelOptions { MaxDegreeOfParallelism = _options.Concurrency, CancellationToken = cancellationToken },
                async (steps, ct) =>
                {
                    foreach (var step in steps)
                    {
                        await RunClaimedAsync(step, reads, ct).ConfigureAwait(false);
                    }
                }).ConfigureAwait(false);
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

        await RunClaimedAsync(step, null, cancellationToken).ConfigureAwait(false);
        return true;
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

    private async Task RunClaimedAsync(ScheduledStep step, ClaimedBatchReads? batch, CancellationToken cancellationToken)
    {
        using var activity = _telemetry.ActivitySource.StartActivity("loyalty.step", ActivityKind.Internal);
        activity?.SetTag("loyalty.flow", step.FlowId);
        activity?.SetTag("loyalty.step.id", step.Id);
        // A batch shares one lease: a step reached after half of it has run out is left alone (nothing written), so
        // it cannot be sent here while another worker, which claimed it after the lease, sends it too.
        if (step.AvailableAt - _time.GetUtcNow() < _options.Lease / 2)
        {
            EmailLog.StepLeaseRunningOut(_logger, step.Id);
            return;
        }

        await using var scope = _scopes.CreateAsyncScope();
        var services = scope.ServiceProvider;
        var claimedVersion = step.Version;
        StepDecision decision;
        try
        {
            decision = await DecideAndActAsync(step, batch, services, cancellationToken).ConfigureAwait(false);
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

        var written = await WriteResultAsync(step, claimedVersion, leaseEnd, services).ConfigureAwait(false);
        if (written is not true)
        {
            if (written is false)
            {
                EmailLog.StepLostLease(_logger, step.Id);
            }

            if (decision.State == StepState.Sent)
            {
                EmailLog.DeliveredResultTooLate(_logger, step.Id, step.MessageId);
            }

            return;
        }

        _telemetry.StepCompleted(decision.State.ToString().ToLowerInvariant(), step.FlowId);
        EmailLog.StepFinished(_logger, step.Id, step.FlowId, decision.State.ToString(), decision.Reason);
    }

    /// <summary>
    /// Writes a step's result, guarded by the version it was claimed at. A failed write (a dropped database
    /// connection) is tried again while the claim's lease lasts, because once the lease has run out another worker may
    /// claim the step and, if it was delivered, send it a second time. True when written, false when another worker
    /// had moved the step on, null when every attempt failed.
    /// </summary>
    private async Task<bool?> WriteResultAsync(ScheduledStep step, int claimedVersion, DateTimeOffset leaseEnd, IServiceProvider services)
    {
        var delay = TimeSpan.FromMilliseconds(50);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                if (attempt == 1)
                {
                    return await services.GetRequiredService<IScheduledStepStore>().TryUpdateAsync(step, claimedVersion, CancellationToken.None).ConfigureAwait(false);
                }

                // A fresh scope per retry: the DbContext of the failed attempt may hold a broken connection.
                await using var scope = _scopes.CreateAsyncScope();
                return await scope.ServiceProvider.GetRequiredService<IScheduledStepStore>().TryUpdateAsync(step, claimedVersion, CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                if (_time.GetUtcNow() + delay >= leaseEnd)
                {
                    EmailLog.StepResultNotWritten(_logger, ex, step.Id, step.State.ToString());
                    return null;
                }

                EmailLog.StepResultWriteFailed(_logger, ex, step.Id, attempt);
            }

            await Task.Delay(delay, _time, CancellationToken.None).ConfigureAwait(false);
            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromSeconds(1).Ticks));
        }
    }

    private async Task<StepDecision> DecideAndActAsync(ScheduledStep step, ClaimedBatchReads? batch, IServiceProvider services, CancellationToken cancellationToken)
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

        var steps = services.GetRequiredService<IScheduledStepStore>();
        if (flow.Id == LoyaltyEmailBuilder.ServiceRecoveryFlowId && triggerEvent is ServiceIssueDetected)
        {
            var issues = await ServiceIssueHistory.ReadAsync(steps, _flows, step.CustomerId, flow.Id, cancellationToken).ConfigureAwait(false);
            var cap = _options.ServiceRecovery;
            if (ServiceIssueHistory.IsCapped(issues, step.TriggerEventId, cap.MaxPerCustomer, cap.Period))
            {
                return StepDecision.Skip(ServiceRecoveryOptions.CapReason);
            }
        }

        var openIssues = 0;
        if (definition.ExitConditions.Any(c => c is BuiltInFlowCondition { Kind: BuiltInCondition.HasOpenServiceIssue }))
        {
            var all = await ServiceIssueHistory.ReadAsync(steps, _flows, step.CustomerId, null, cancellationToken).ConfigureAwait(false);
            openIssues = ServiceIssueHistory.Open(all, now, _options.ServiceIssuePause, step.TriggerEventId).Count;
        }

        var context = new FlowConditionContext(triggerEvent, customer, orders, now) { OpenServiceIssues = openIssues };
        TemplateModel? model = null;
        TemplateModel Model() => model ??= _models.Create(triggerEvent, customer, Links(customer));

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
                return await SendAsync(step, flow, send, customer, reads?.Suppressions, batch, Model, services, cancellationToken).ConfigureAwait(false);
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
        ClaimedBatchReads? batch, Func<TemplateModel> model, IServiceProvider services, CancellationToken cancellationToken)
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
        var unsubscribe = marketing ? UnsubscribeUrl(customer) : null;
        var message = EmailMessageComposer.Compose(content, new Envelope(
            flow.From ?? _options.From, flow.ReplyTo ?? _options.ReplyTo, customer.Email,
            string.Join(' ', new[] { customer.FirstName, customer.LastName }.Where(n => !string.IsNullOrWhiteSpace(n))),
            messageId, unsubscribe, now));
        _signer?.Sign(message);
        step.MessageId = messageId;

        var started = _time.GetTimestamp();
        var result = await _transport.SendAsync(message, cancellationToken).ConfigureAwait(false);
        _telemetry.SendDuration(_time.GetElapsedTime(started).TotalMilliseconds);
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

    private Dictionary<string, object?> Links(LoyaltyCustomer? customer)
    {
        var links = new Dictionary<string, object?> { ["shop"] = _shop.BaseUrl.AbsoluteUri };
        if (customer is not null)
        {
            links["unsubscribe"] = UnsubscribeUrl(customer).AbsoluteUri;
            links["preferences"] = new Uri(_shop.BaseUrl, $"{_options.PreferencesPath.Trim('/')}/{UnsubscribeToken(customer)}").AbsoluteUri;
        }

        return links;
    }

    private Uri UnsubscribeUrl(LoyaltyCustomer customer) => new(_shop.BaseUrl, $"{_options.UnsubscribePath.Trim('/')}/{UnsubscribeToken(customer)}");

    private string UnsubscribeToken(LoyaltyCustomer customer) => _links.Issue(LinkPurpose.Unsubscribe, customer.CustomerId, TimeSpan.FromDays(400));

    private string MessageIdDomain()
    {
        if (_options.MessageIdDomain is { Length: > 0 } domain)
        {
            return domain;
        }

        var from = MimeKit.MailboxAddress.Parse(_options.From).Address;
        return from[(from.LastIndexOf('@') + 1)..];
    }

    private readonly record struct StepDecision(StepState State, string? Reason, DateTimeOffset? AvailableAt)
    {
        public static StepDecision Done(string? reason) => new(StepState.Sent, reason, null);

        public static StepDecision Skip(string reason) => new(StepState.Skipped, reason, null);

        public static StepDecision Fail(string reason) => new(StepState.Failed, reason, null);

        public static StepDecision Hold(DateTimeOffset until, string reason) => new(StepState.Held, reason, until);
    }
}
