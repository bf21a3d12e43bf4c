using Loyalty.Events;
using Loyalty.Referrals.Codes;
using Loyalty.Referrals.Diagnostics;
using Loyalty.Referrals.Fraud;
using Loyalty.Stores;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Loyalty.Referrals.Attribution;

/// <summary>What attributing an order did.</summary>
public enum AttributionStatus
{
    /// <summary>No code and no visit inside the window: not a referral.</summary>
    NoReferral,
    /// <summary>Attributed to an advocate.</summary>
    Attributed,
    /// <summary>The friend was attributed before (at most once per friend).</summary>
    AlreadyAttributed,
    /// <summary>A fraud rule blocked it; the decision was recorded.</summary>
    Blocked,
}

/// <summary>The outcome of <see cref="ReferralAttributor.AttributeAsync"/>.</summary>
/// <param name="Status">What happened.</param>
/// <param name="Attribution">The attribution (new, or the existing one).</param>
/// <param name="Verdict">The blocking rule, when blocked.</param>
public sealed record AttributionOutcome(AttributionStatus Status, ReferralAttribution? Attribution, FraudVerdict? Verdict);

/// <summary>
/// Attributes a friend's first order inside the window to an advocate: the touches are landing visits of the order's
/// visitor id (inside <see cref="ReferralOptions.AttributionWindow"/> before the order) and a code entered at
/// checkout (<see cref="OrderPlaced.ReferralCode"/>, a touch at the order's time); last-touch by default. At most once
/// per friend, enforced by the store's unique friend key.
/// </summary>
public sealed class ReferralAttributor
{
    private readonly ReferralCodes _codes;
    private readonly IReferralVisitStore _visits;
    private readonly IReferralAttributionStore _attributions;
    private readonly IReferralFraudStore _fraud;
    private readonly ReferralFraudRules _rules;
    private readonly ReferralOptions _options;
    private readonly TimeProvider _time;
    private readonly ReferralTelemetry _telemetry;
    private readonly ILogger<ReferralAttributor> _logger;

    /// <summary>Created by DI.</summary>
    public ReferralAttributor(ReferralCodes codes, IReferralVisitStore visits, IReferralAttributionStore attributions, IReferralFraudStore fraud, ReferralFraudRules rules,
        IOptions<ReferralOptions> options, TimeProvider time, ReferralTelemetry telemetry, ILogger<ReferralAttributor> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _codes = codes;
        _visits = visits;
        _attributions = attributions;
        _fraud = fraud;
        _rules = rules;
        _options = options.Value;
        _time = time;
        _telemetry = telemetry;
        _logger = logger;
    }

    /// <summary>Attributes <paramref name="order"/> if it is a friend's qualifying order.</summary>
    public async Task<AttributionOutcome> AttributeAsync(OrderPlaced order, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(order);
        using var activity = _telemetry.ActivitySource.StartActivity("loyalty.referral.attribute");
        var existing = await _attributions.FindByFriendAsync(order.CustomerId, cancellationToken).ConfigureAwait(false);
        if (existing is not null)
        {
            return new(AttributionStatus.AlreadyAttributed, existing, null);
        }

        var touch = await WinningTouchAsync(order, cancellationToken).ConfigureAwait(false);
        if (touch is null)
        {
            return new(AttributionStatus.NoReferral, null, null);
        }

        var verdict = await _rules.CheckAsync(new ReferralCandidate(order, touch.Advocate, touch.Code, touch.IpHash), cancellationToken).ConfigureAwait(false);
        var now = _time.GetUtcNow();
        if (verdict is not null)
        {
            await _fraud.AddAsync(new ReferralFraudDecision
            {
                Id = Guid.CreateVersion7(now),
                FriendCustomerId = order.CustomerId,
                AdvocateCustomerId = touch.Advocate,
                Code = touch.Code,
                OrderId = order.OrderId,
                Rule = verdict.Rule,
                Reason = verdict.Reason,
                DecidedAt = now,
            }, cancellationToken).ConfigureAwait(false);
            _telemetry.Blocked(verdict.Rule);
            ReferralsLog.Blocked(_logger, order.CustomerId, touch.Advocate, verdict.Rule, verdict.Reason);
            return new(AttributionStatus.Blocked, null, verdict);
        }

        var attribution = new ReferralAttribution
        {
            FriendCustomerId = order.CustomerId,
            AdvocateCustomerId = touch.Advocate,
            Code = touch.Code,
            OrderId = order.OrderId,
            OrderPlacedAt = order.OccurredAt,
            Touch = touch.Kind,
            Network = touch.Network,
            IpHash = touch.IpHash,
            AttributedAt = now,
        };
        if (!await _attributions.TryAddAsync(attribution, cancellationToken).ConfigureAwait(false))
        {
            return new(AttributionStatus.AlreadyAttributed, await _attributions.FindByFriendAsync(order.CustomerId, cancellationToken).ConfigureAwait(false), null);
        }

        _telemetry.Attributed(touch.Kind);
        ReferralsLog.Attributed(_logger, order.OrderId, order.CustomerId, touch.Advocate, touch.Kind);
        return new(AttributionStatus.Attributed, attribution, null);
    }

    private async Task<Touch?> WinningTouchAsync(OrderPlaced order, CancellationToken cancellationToken)
    {
        var touches = new List<Touch>();
        if (order.VisitorId is { Length: > 0 } visitor)
        {
            var visits = await _visits.GetByVisitorAsync(visitor, order.OccurredAt - _options.AttributionWindow, cancellationToken).ConfigureAwait(false);
            foreach (var visit in visits.Where(v => v.VisitedAt <= order.OccurredAt))
            {
                // A code disabled since the visit no longer earns anything.
                if (await _codes.ResolveAsync(visit.Code, cancellationToken).ConfigureAwait(false) is { } code)
                {
                    touches.Add(new Touch("visit", code.Code, code.CustomerId, visit.Network, visit.IpHash, visit.VisitedAt));
                }
            }
        }

        if (await _codes.ResolveAsync(order.ReferralCode, cancellationToken).ConfigureAwait(false) is { } entered)
        {
            // The IP of a visit with the same code still counts towards the IP cap.
            var sameCodeVisit = touches.Where(t => t.Code == entered.Code).MaxBy(t => t.At);
            touches.Add(new Touch("code", entered.Code, entered.CustomerId, sameCodeVisit?.Network, sameCodeVisit?.IpHash, order.OccurredAt));
        }

        if (touches.Count == 0)
        {
            return null;
        }

        return _options.Attribution == AttributionModel.FirstTouch
            ? touches.OrderBy(t => t.At).First()
            : touches.OrderByDescending(t => t.At).ThenByDescending(t => t.Kind == "code").First();
    }

    private sealed record Touch(string Kind, string Code, string Advocate, string? Network, string? IpHash, DateTimeOffset At);
}
