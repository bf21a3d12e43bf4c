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

    /// <summary>
    /// Publishes a batch of events (an import or backfill of order history, a relay from the shop's own outbox or
    /// queue) with the same outcome as publishing them one by one in list order, but in one store transaction.
    /// </summary>
    /// <remarks>
    /// <para>Every event is validated before anything is read or written: one invalid event refuses the whole batch
    /// with a <see cref="Validation.EventValidationException"/> naming its index and id, and nothing is written.</para>
    /// <para>Events are planned in list order. Events of the same customer each see the state the earlier ones left
    /// (orders, customer facts, milestones, flow entries): two orders of a new customer in one batch reach the
    /// first-order milestone with the first and the second-order milestone with the second. An event id that occurs
    /// earlier in the batch, or that was accepted before, gives <see cref="PublishResult.Duplicate"/>.</para>
    /// <para>The library's intake writes all the batch's changes in one transaction, or none; when a customer changed
    /// meanwhile it reads again and retries a bounded number of times, then throws
    /// <see cref="InvalidOperationException"/>. Immediate steps are queued and event observers are told after the
    /// commit, in list order. A batch larger than the configured limit (<c>EmailOptions.MaxPublishBatchSize</c>,
    /// default 1,000) is refused with an <see cref="ArgumentException"/>.</para>
    /// <para>The default implementation publishes the events one by one through <see cref="PublishAsync"/>: same
    /// results, one transaction each (an invalid event then stops the batch there).</para>
    /// </remarks>
    /// <returns>One result per event, in the order of <paramref name="events"/>.</returns>
    async Task<IReadOnlyList<PublishResult>> PublishManyAsync(IReadOnlyList<LoyaltyEvent> events, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(events);
        var results = new List<PublishResult>(events.Count);
        foreach (var e in events)
        {
            results.Add(await PublishAsync(e, cancellationToken).ConfigureAwait(false));
        }

        return results;
    }
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
