using System.Text.Json;
using Loyalty.Email.Flows;
using Loyalty.Events;
using Loyalty.Stores;

namespace Loyalty.Referrals.Reviews;

/// <summary>
/// The review flows. Intake cannot know an order's products at delivery, so <see cref="ReferralProcessor"/> publishes
/// <see cref="ReviewPromptDueEvent"/> when an order is delivered, with the order id and the time to ask (delivery +
/// the longest wait of the order's product tags); the prompt flow waits for that time.
/// </summary>
public static class ReviewFlows
{
    /// <summary>The custom event that starts the review prompt.</summary>
    public const string ReviewPromptDueEvent = "ReviewPromptDue";

    /// <summary>
    /// The custom event that pays the honest-review reward: published once per customer and product (its event id is
    /// <c>review-reward:{customer}:{sku}</c>, which intake dedupes), with <c>sku</c>, <c>product_name</c> and
    /// <c>order_id</c> and never the rating.
    /// </summary>
    public const string ReviewRewardDueEvent = "ReviewRewardDue";

    /// <summary>The honest-review reward flow's id.</summary>
    public const string RewardFlowId = "review-reward";

    /// <summary>The prompt flow's id.</summary>
    public const string PromptFlowId = "review-prompt";

    /// <summary>The thank-you-and-share flow's id.</summary>
    public const string ThanksShareFlowId = "review-thanks-share";

    /// <summary>Template of the prompt.</summary>
    public const string PromptTemplate = "review-prompt";

    /// <summary>Template of the one reminder.</summary>
    public const string ReminderTemplate = "review-reminder";

    /// <summary>Template of the thank-you with share links.</summary>
    public const string ThanksShareTemplate = "review-thanks-share";

    /// <summary>
    /// ReviewPromptDue → wait until <c>event.properties.prompt_at</c> → unless the customer has an open service issue
    /// or the order was refunded, send <c>review-prompt</c> → wait <see cref="ReviewOptions.ReminderAfter"/> → same
    /// checks → <c>review-reminder</c> (at most one). A review of every product cancels the rest (see <see cref="ReferralProcessor"/>).
    /// </summary>
    public static FlowDefinition Prompt(ReviewOptions options, string category = "marketing:reviews")
    {
        ArgumentNullException.ThrowIfNull(options);
        var flow = new FlowBuilder(PromptFlowId).On(ReviewPromptDueEvent).InCategory(category)
            .Wait(new FlowWait { FromDatePath = "event.properties.prompt_at" })
            .ExitWhen(BuiltInCondition.HasOpenServiceIssue)
            .ExitWhen("order-refunded", OrderRefunded)
            .Send(PromptTemplate);
        if (options.SendReminder)
        {
            flow.Wait(options.ReminderAfter)
                .ExitWhen(BuiltInCondition.HasOpenServiceIssue)
                .ExitWhen("order-refunded", OrderRefunded)
                .Send(ReminderTemplate);
        }

        return flow.Build();
    }

    /// <summary>ReviewSubmitted with a rating of at least <see cref="ReviewOptions.ShareMinimumRating"/> and a review page → <c>review-thanks-share</c>.</summary>
    public static FlowDefinition ThanksShare(ReviewOptions options, string category = "marketing:reviews")
    {
        ArgumentNullException.ThrowIfNull(options);
        var minimum = options.ShareMinimumRating;
        return new FlowBuilder(ThanksShareFlowId).On(EventTypes.ReviewSubmitted).InCategory(category)
            .When($"rating-{minimum}-or-more", c => c.TriggerEvent is ReviewSubmitted r && r.Rating >= minimum && !string.IsNullOrEmpty(r.ReviewUrl))
            .Send(ThanksShareTemplate)
            .Build();
    }

    /// <summary>
    /// ReviewRewardDue → issue a <paramref name="creditKind"/> credit through the host's <see cref="ICreditIssuer"/>.
    /// No condition at all: a review of any rating is paid (a reward contingent on a positive rating is what
    /// marketplaces forbid). The issuer's idempotency key is the step's, so a retried job pays once.
    /// </summary>
    public static FlowDefinition Reward(string creditKind)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(creditKind);
        return new FlowBuilder(RewardFlowId).On(ReviewRewardDueEvent).Transactional().IssueCredit(creditKind).Build();
    }

    /// <summary>The order id carried by a <see cref="ReviewPromptDueEvent"/>, or null.</summary>
    public static string? OrderIdOf(LoyaltyEvent e) =>
        e is CustomEvent { Name: ReviewPromptDueEvent } custom && custom.Properties.ValueKind == JsonValueKind.Object
            && custom.Properties.TryGetProperty("order_id", out var id) && id.ValueKind == JsonValueKind.String ? id.GetString() : null;

    private static bool OrderRefunded(FlowConditionContext context) =>
        OrderIdOf(context.TriggerEvent) is { } orderId && context.Orders.Any(o => o.OrderId == orderId && o.Status == OrderStatus.Refunded);
}
