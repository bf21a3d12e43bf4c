using System.Text.Json;
using Loyalty.Events;
using Loyalty.Publishing;
using Loyalty.Referrals.Attribution;
using Loyalty.Referrals.Rewards;
using Loyalty.Referrals.Reviews;
using Loyalty.Stores;
using Microsoft.Extensions.Options;

namespace Loyalty.Referrals;

/// <summary>
/// Where the referral and review programme meets intake: call <see cref="HandleAsync"/> with every event after intake
/// has committed it (including the custom events the dispatcher publishes). Idempotent per event: every write it makes
/// is keyed (unique friend, reward keys, event ids of what it publishes), so a repeated call changes nothing.
/// </summary>
public sealed class ReferralProcessor
{
    private readonly ReferralAttributor _attributor;
    private readonly ReferralRewards _rewards;
    private readonly ICustomerFingerprintStore _fingerprints;
    private readonly IReviewStore _reviews;
    private readonly ICustomerStore _customers;
    private readonly IScheduledStepStore? _steps;
    private readonly ILoyaltyPublisher? _publisher;
    private readonly ReferralOptions _options;
    private readonly TimeProvider _time;

    /// <summary>Created by DI (scoped); the publisher and step store come from Loyalty.Email when it is added.</summary>
    public ReferralProcessor(ReferralAttributor attributor, ReferralRewards rewards, ICustomerFingerprintStore fingerprints, IReviewStore reviews, ICustomerStore customers,
        IEnumerable<IScheduledStepStore> steps, IEnumerable<ILoyaltyPublisher> publishers, IOptions<ReferralOptions> options, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(steps);
        ArgumentNullException.ThrowIfNull(publishers);
        ArgumentNullException.ThrowIfNull(options);
        _attributor = attributor;
        _rewards = rewards;
        _fingerprints = fingerprints;
        _reviews = reviews;
        _customers = customers;
        _steps = steps.LastOrDefault();
        _publisher = publishers.LastOrDefault();
        _options = options.Value;
        _time = time;
    }

    /// <summary>Reacts to one committed event.</summary>
    public async Task HandleAsync(LoyaltyEvent loyaltyEvent, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(loyaltyEvent);
        switch (loyaltyEvent)
        {
            case OrderPlaced order:
                await OnOrderPlacedAsync(order, cancellationToken).ConfigureAwait(false);
                break;
            case OrderRefunded refunded:
                await _rewards.HandleRefundAsync(refunded.CustomerId, refunded.OrderId, refunded.OccurredAt, cancellationToken).ConfigureAwait(false);
                break;
            case OrderDelivered delivered:
                await OnOrderDeliveredAsync(delivered, cancellationToken).ConfigureAwait(false);
                break;
            case ReviewSubmitted review:
                await OnReviewSubmittedAsync(review, cancellationToken).ConfigureAwait(false);
                break;
            case CustomEvent { Name: ReferralFlows.ReturnWindowPassedEvent }:
                await IssueDueAdvocateRewardsAsync(loyaltyEvent.CustomerId, cancellationToken).ConfigureAwait(false);
                break;
        }
    }

    /// <summary>
    /// Issues every due reward (of one customer, or all) and tells each advocate by publishing
    /// <see cref="ReferralFlows.RewardReadyEvent"/>. The flow calls it per advocate; a host may also run it on a
    /// schedule as a safety net.
    /// </summary>
    public async Task<IReadOnlyList<ReferralReward>> IssueDueAdvocateRewardsAsync(string? customerId = null, CancellationToken cancellationToken = default)
    {
        var issued = await _rewards.IssueDueAsync(customerId, cancellationToken).ConfigureAwait(false);
        foreach (var reward in issued.Where(r => r.Kind == ReferralRewardKind.Advocate))
        {
            var friend = await _customers.FindByIdAsync(reward.FriendCustomerId, cancellationToken).ConfigureAwait(false);
            await PublishAsync(ReferralFlows.RewardReadyEvent, $"referral-reward-ready:{reward.FriendCustomerId}", reward.CustomerId, _time.GetUtcNow(),
                new Dictionary<string, object?> { ["reward"] = reward.IssuedDescription, ["friend_first_name"] = friend?.FirstName, ["order_id"] = reward.OrderId },
                cancellationToken).ConfigureAwait(false);
        }

        return issued;
    }

    private async Task OnOrderPlacedAsync(OrderPlaced order, CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        await RememberFingerprintAsync("shipping", order.ShippingAddressFingerprint, order.CustomerId, now, cancellationToken).ConfigureAwait(false);
        await RememberFingerprintAsync("payment", order.PaymentFingerprint, order.CustomerId, now, cancellationToken).ConfigureAwait(false);
        if (await _reviews.FindRequestAsync(order.CustomerId, order.OrderId, cancellationToken).ConfigureAwait(false) is null)
        {
            await _reviews.UpsertRequestAsync(new ReviewRequest
            {
                CustomerId = order.CustomerId,
                OrderId = order.OrderId,
                CreatedAt = now,
                Products = order.Lines.DistinctBy(l => l.Sku, StringComparer.Ordinal)
                    .Select(l => new ReviewRequestProduct { Sku = l.Sku, Name = l.ProductName, Url = l.ProductUrl, Tags = string.Join(' ', l.Tags) }).ToList(),
            }, cancellationToken).ConfigureAwait(false);
        }

        // Fingerprints of this order are remembered before the check, but only the advocate's own count against a friend.
        var outcome = await _attributor.AttributeAsync(order, cancellationToken).ConfigureAwait(false);
        if (outcome.Status != AttributionStatus.Attributed || outcome.Attribution is not { } attribution)
        {
            return;
        }

        await _rewards.CreateAsync(attribution, order.Currency, cancellationToken).ConfigureAwait(false);
        await _rewards.IssueAsync(ReferralRewards.KeyFor(ReferralRewardKind.Friend, attribution.FriendCustomerId), cancellationToken).ConfigureAwait(false);
        await PublishAsync(ReferralFlows.FriendJoinedEvent, $"referral-friend-joined:{attribution.FriendCustomerId}", attribution.AdvocateCustomerId, order.OccurredAt,
            new Dictionary<string, object?> { ["friend_first_name"] = order.Customer?.FirstName, ["order_id"] = order.OrderId }, cancellationToken).ConfigureAwait(false);
    }

    private async Task OnOrderDeliveredAsync(OrderDelivered delivered, CancellationToken cancellationToken)
    {
        if (!_options.Reviews.Enabled)
        {
            return;
        }

        var request = await _reviews.FindRequestAsync(delivered.CustomerId, delivered.OrderId, cancellationToken).ConfigureAwait(false);
        if (request is null || request.DeliveredAt is not null)
        {
            return;
        }

        var delay = ReviewDelay(request);
        request.DeliveredAt = delivered.OccurredAt;
        request.PromptDueAt = delivered.OccurredAt + delay;
        await _reviews.UpsertRequestAsync(request, cancellationToken).ConfigureAwait(false);
        await PublishAsync(ReviewFlows.ReviewPromptDueEvent, $"review-prompt:{delivered.CustomerId}:{delivered.OrderId}", delivered.CustomerId, delivered.OccurredAt,
            new Dictionary<string, object?> { ["order_id"] = delivered.OrderId, ["prompt_at"] = request.PromptDueAt.Value.ToString("O", System.Globalization.CultureInfo.InvariantCulture) },
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The wait before asking: the longest configured wait of the order's product tags, else the default.</summary>
    internal TimeSpan ReviewDelay(ReviewRequest request)
    {
        var tagged = request.Products.SelectMany(p => p.Tags.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Select(t => _options.Reviews.DelayByTag.TryGetValue(t, out var d) ? d : (TimeSpan?)null)
            .Where(d => d is not null).Select(d => d!.Value).ToList();
        return tagged.Count > 0 ? tagged.Max() : _options.Reviews.DefaultDelay;
    }

    private async Task OnReviewSubmittedAsync(ReviewSubmitted review, CancellationToken cancellationToken)
    {
        await _reviews.UpsertReviewAsync(new ProductReview { CustomerId = review.CustomerId, Sku = review.Sku, OrderId = review.OrderId, Rating = review.Rating, ReviewedAt = review.OccurredAt }, cancellationToken).ConfigureAwait(false);
        if (!string.IsNullOrWhiteSpace(_options.Rewards.ReviewRewardKind))
        {
            // The rating is deliberately not passed on, so nothing downstream can make the reward depend on it; the
            // event id makes it once per customer and product however often the review is edited.
            await PublishAsync(ReviewFlows.ReviewRewardDueEvent, $"review-reward:{review.CustomerId}:{review.Sku}", review.CustomerId, review.OccurredAt,
                new Dictionary<string, object?> { ["sku"] = review.Sku, ["product_name"] = review.ProductName, ["order_id"] = review.OrderId }, cancellationToken).ConfigureAwait(false);
        }

        if (review.OrderId is { } orderId && _steps is not null
            && await _reviews.FindRequestAsync(review.CustomerId, orderId, cancellationToken).ConfigureAwait(false) is { } request)
        {
            var reviewed = await _reviews.GetReviewedSkusAsync(review.CustomerId, cancellationToken).ConfigureAwait(false);
            if (request.Products.All(p => reviewed.Contains(p.Sku)))
            {
                await CancelPromptsAsync(review.CustomerId, orderId, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private async Task CancelPromptsAsync(string customerId, string orderId, CancellationToken cancellationToken)
    {
        var triggerKey = $"event:review-prompt:{customerId}:{orderId}";
        var pending = await _steps!.QueryAsync(new StepQuery { CustomerId = customerId, FlowId = ReviewFlows.PromptFlowId, Take = 20 }, cancellationToken).ConfigureAwait(false);
        var now = _time.GetUtcNow();
        foreach (var step in pending.Where(s => s.TriggerKey == triggerKey && s.State is StepState.Scheduled or StepState.Held))
        {
            var version = step.Version;
            step.State = StepState.Skipped;
            step.Reason = "all-products-reviewed";
            step.UpdatedAt = now;
            step.CompletedAt = now;
            // Losing the race means a worker is sending it right now: nothing left to cancel.
            await _steps.TryUpdateAsync(step, version, cancellationToken).ConfigureAwait(false);
        }
    }

    private Task RememberFingerprintAsync(string kind, string? value, string customerId, DateTimeOffset now, CancellationToken cancellationToken) =>
        string.IsNullOrEmpty(value)
            ? Task.CompletedTask
            : _fingerprints.AddAsync(new CustomerFingerprint { Kind = kind, Value = value, CustomerId = customerId, SeenAt = now }, cancellationToken);

    private async Task PublishAsync(string name, string eventId, string customerId, DateTimeOffset occurredAt, Dictionary<string, object?> properties, CancellationToken cancellationToken)
    {
        if (_publisher is null)
        {
            return;
        }

        await _publisher.PublishAsync(new CustomEvent
        {
            EventId = eventId.Length <= 200 ? eventId : eventId[..200],
            Name = name,
            CustomerId = customerId,
            OccurredAt = occurredAt,
            Properties = JsonSerializer.SerializeToElement(properties),
        }, cancellationToken).ConfigureAwait(false);
    }
}
