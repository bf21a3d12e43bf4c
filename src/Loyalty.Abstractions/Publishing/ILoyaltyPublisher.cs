using Loyalty.Events;

namespace Loyalty.Publishing;

/// <summary>The one way a shop tells Loyalty what happened.</summary>
public interface ILoyaltyPublisher
{
    /// <summary>
    /// Validates the event (throwing <see cref="Validation.EventValidationException"/> with every problem), records
    /// it once by its <see cref="LoyaltyEvent.EventId"/>, updates the customer's facts, detects milestones and
    /// schedules the flows it triggers. Publishing the same event id again changes nothing.
    /// </summary>
    Task<PublishResult> PublishAsync(LoyaltyEvent loyaltyEvent, CancellationToken cancellationToken = default);
}

/// <summary>What publishing an event did.</summary>
/// <param name="Accepted">False when the event id had been accepted before (nothing was done again).</param>
/// <param name="ScheduledStepIds">The steps scheduled by the event and the milestones it reached.</param>
/// <param name="Milestones">The milestones the event reached.</param>
public sealed record PublishResult(bool Accepted, IReadOnlyList<Guid> ScheduledStepIds, IReadOnlyList<string> Milestones)
{
    /// <summary>The result for an event id seen before.</summary>
    public static PublishResult Duplicate { get; } = new(false, [], []);
}
