namespace Loyalty.Stores;

/// <summary>Reads of the idempotency records of accepted events.</summary>
public interface IProcessedEventStore
{
    /// <summary>True when an event with this id was accepted before.</summary>
    Task<bool> IsProcessedAsync(string eventId, CancellationToken cancellationToken);
}

/// <summary>Reads of customers and their orders.</summary>
public interface ICustomerStore
{
    /// <summary>The customer, or null.</summary>
    Task<LoyaltyCustomer?> FindByIdAsync(string customerId, CancellationToken cancellationToken);

    /// <summary>The customer's orders, oldest first.</summary>
    Task<IReadOnlyList<CustomerOrder>> GetOrdersAsync(string customerId, CancellationToken cancellationToken);

    /// <summary>
    /// The customers of <paramref name="customerIds"/> that exist, by id (ordinal); an id not found is left out, a
    /// repeated id is read once. The stores of Loyalty read them in one statement per 500 ids; this default reads
    /// them one by one with <see cref="FindByIdAsync"/>, so a store of a shop needs nothing more to keep working.
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="customerIds"/> is null.</exception>
    /// <exception cref="ArgumentException">An id is null or empty.</exception>
    async Task<IReadOnlyDictionary<string, LoyaltyCustomer>> FindByIdsAsync(IReadOnlyCollection<string> customerIds, CancellationToken cancellationToken)
    {
        var ids = StoreKeys.DistinctOrThrow(customerIds, nameof(customerIds));
        var found = new Dictionary<string, LoyaltyCustomer>(ids.Count, StringComparer.Ordinal);
        foreach (var id in ids)
        {
            if (await FindByIdAsync(id, cancellationToken).ConfigureAwait(false) is { } customer)
            {
                found[id] = customer;
            }
        }

        return found;
    }

    /// <summary>
    /// The orders of each of <paramref name="customerIds"/>, oldest first, by customer id (ordinal): every id asked
    /// for has an entry, empty when the customer has no orders (or does not exist). The stores of Loyalty read them in
    /// one statement per 500 ids; this default reads them one by one with <see cref="GetOrdersAsync(string, CancellationToken)"/>.
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="customerIds"/> is null.</exception>
    /// <exception cref="ArgumentException">An id is null or empty.</exception>
    async Task<IReadOnlyDictionary<string, IReadOnlyList<CustomerOrder>>> GetOrdersAsync(IReadOnlyCollection<string> customerIds, CancellationToken cancellationToken)
    {
        var ids = StoreKeys.DistinctOrThrow(customerIds, nameof(customerIds));
        var orders = new Dictionary<string, IReadOnlyList<CustomerOrder>>(ids.Count, StringComparer.Ordinal);
        foreach (var id in ids)
        {
            orders[id] = await GetOrdersAsync(id, cancellationToken).ConfigureAwait(false);
        }

        return orders;
    }
}

/// <summary>The argument checks of the stores' batch reads, for the stores of Loyalty and of a shop alike.</summary>
public static class StoreKeys
{
    /// <summary>
    /// The distinct keys of <paramref name="keys"/> (ordinal), in the order first seen; checked before anything is
    /// read, so a bad batch reads nothing.
    /// </summary>
    /// <param name="keys">The keys of a batch read; may be empty.</param>
    /// <param name="parameterName">The name of the caller's parameter, for the exception.</param>
    /// <exception cref="ArgumentNullException"><paramref name="keys"/> is null.</exception>
    /// <exception cref="ArgumentException">A key is null or empty.</exception>
    public static IReadOnlyList<string> DistinctOrThrow(IReadOnlyCollection<string> keys, string parameterName)
    {
        ArgumentNullException.ThrowIfNull(keys, parameterName);
        var seen = new HashSet<string>(keys.Count, StringComparer.Ordinal);
        var distinct = new List<string>(keys.Count);
        var index = 0;
        foreach (var key in keys)
        {
            if (string.IsNullOrEmpty(key))
            {
                throw new ArgumentException($"Key {index} of the batch is {(key is null ? "null" : "empty")}.", parameterName);
            }

            if (seen.Add(key))
            {
                distinct.Add(key);
            }

            index++;
        }

        return distinct;
    }

    /// <summary>
    /// Checks the writes of one <see cref="IScheduledStepStore.TryUpdateManyAsync"/> call before anything is written:
    /// every write has a step, and no step is written twice in one call (which of two writes of one row wins would
    /// depend on the store).
    /// </summary>
    /// <param name="updates">The writes; may be empty.</param>
    /// <param name="parameterName">The name of the caller's parameter, for the exception.</param>
    /// <exception cref="ArgumentNullException"><paramref name="updates"/> is null.</exception>
    /// <exception cref="ArgumentException">A write has no step, or two writes have the same step id.</exception>
    public static void CheckStepUpdates(IReadOnlyList<StepUpdate> updates, string parameterName)
    {
        ArgumentNullException.ThrowIfNull(updates, parameterName);
        var seen = new HashSet<Guid>(updates.Count);
        for (var i = 0; i < updates.Count; i++)
        {
            var step = updates[i].Step ?? throw new ArgumentException($"Write {i} of the batch has no step.", parameterName);
            if (!seen.Add(step.Id))
            {
                throw new ArgumentException($"Write {i} of the batch is of step {step.Id}, which an earlier write of the batch writes too.", parameterName);
            }
        }
    }
}

/// <summary>How an intake commit ended.</summary>
public enum IntakeCommitResult
{
    /// <summary>Everything was written.</summary>
    Committed,
    /// <summary>The event was accepted before; nothing was written.</summary>
    DuplicateEvent,
    /// <summary>The customer changed since it was read; nothing was written; read again and retry.</summary>
    Conflict,
}

/// <summary>Everything one accepted event changes, written in one transaction or not at all.</summary>
public sealed class IntakeChangeSet
{
    /// <summary>The idempotency records: the event itself first, then events derived from it (milestones).</summary>
    public List<ProcessedEvent> Events { get; } = [];

    /// <summary>The customer after the event, or null when the event did not change it.</summary>
    public LoyaltyCustomer? Customer { get; set; }

    /// <summary>The customer's version as read; null when the customer is new.</summary>
    public int? ExpectedCustomerVersion { get; set; }

    /// <summary>Orders to insert, or to update when they exist.</summary>
    public List<CustomerOrder> Orders { get; } = [];

    /// <summary>Steps to schedule; a step whose dedupe key exists already is left out, not an error.</summary>
    public List<ScheduledStep> Steps { get; } = [];
}

/// <summary>The single write of intake.</summary>
public interface IIntakeStore
{
    /// <summary>Writes <paramref name="changes"/> atomically, unless the event was processed or the customer changed.</summary>
    Task<IntakeCommitResult> CommitAsync(IntakeChangeSet changes, CancellationToken cancellationToken);

    /// <summary>
    /// Writes the change sets of a batch, planned in order: a later set of the same customer expects the version an
    /// earlier set of the batch writes (<c>(ExpectedCustomerVersion ?? 0) + 1</c>), and an event id an earlier set
    /// records counts as accepted for the later sets. Returns one result per set, in order: Committed (written),
    /// DuplicateEvent (the set's event was accepted before; not written) or Conflict (not written; plan it again).
    /// </summary>
    /// <remarks>
    /// A store that can should write every set in one transaction, and write nothing when any set is not
    /// Committed (reporting the sets that would have been written as Conflict, so the caller plans them again
    /// without the duplicates). The default implementation calls <see cref="CommitAsync"/> per set and stops at
    /// the first set that is not Committed: the sets after it are reported as Conflict, unwritten, because their
    /// plan may have counted on it.
    /// </remarks>
    async Task<IReadOnlyList<IntakeCommitResult>> CommitManyAsync(IReadOnlyList<IntakeChangeSet> changeSets, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(changeSets);
        var results = new IntakeCommitResult[changeSets.Count];
        var stopped = false;
        for (var i = 0; i < changeSets.Count; i++)
        {
            if (stopped)
            {
                results[i] = IntakeCommitResult.Conflict;
                continue;
            }

            results[i] = await CommitAsync(changeSets[i], cancellationToken).ConfigureAwait(false);
            stopped = results[i] != IntakeCommitResult.Committed;
        }

        return results;
    }
}

/// <summary>Scheduled steps: the claim of due work by workers, and guarded transitions.</summary>
public interface IScheduledStepStore
{
    /// <summary>
    /// Claims up to <paramref name="maxCount"/> steps whose <see cref="ScheduledStep.AvailableAt"/> has come and
    /// that are Scheduled or Held: each gets <paramref name="owner"/>, an incremented version and
    /// <c>AvailableAt = now + lease</c>, so no other worker claims it until the lease ends. Safe across processes.
    /// </summary>
    Task<IReadOnlyList<ScheduledStep>> ClaimDueAsync(DateTimeOffset now, int maxCount, string owner, TimeSpan lease, CancellationToken cancellationToken);

    /// <summary>Claims one step by id, if it is claimable now (used to run an immediate step without waiting for a sweep).</summary>
    Task<ScheduledStep?> ClaimByIdAsync(Guid id, DateTimeOffset now, string owner, TimeSpan lease, CancellationToken cancellationToken);

    /// <summary>
    /// Writes <paramref name="step"/> (its state, reason, times) only if the stored version is still
    /// <paramref name="expectedVersion"/>; increments the version. False means another worker moved it on.
    /// </summary>
    Task<bool> TryUpdateAsync(ScheduledStep step, int expectedVersion, CancellationToken cancellationToken);

    /// <summary>
    /// Writes the results of several steps, each guarded as <see cref="TryUpdateAsync"/> guards one; returns, in
    /// order, whether each was written (false: another worker had moved it on). The dispatch writes the results of
    /// steps that finish together with one call (a group commit).
    /// </summary>
    /// <remarks>
    /// A store that can should write all of them in one statement or transaction, and on an exception write none.
    /// The default implementation calls <see cref="TryUpdateAsync"/> for each in turn, so an exception part-way
    /// leaves the ones before it written: trying them again then answers false for those.
    /// </remarks>
    /// <exception cref="ArgumentNullException"><paramref name="updates"/> is null.</exception>
    /// <exception cref="ArgumentException">A write has no step, or a step is written twice (<see cref="StoreKeys.CheckStepUpdates"/>); nothing is written.</exception>
    async Task<IReadOnlyList<bool>> TryUpdateManyAsync(IReadOnlyList<StepUpdate> updates, CancellationToken cancellationToken)
    {
        StoreKeys.CheckStepUpdates(updates, nameof(updates));
        var results = new bool[updates.Count];
        for (var i = 0; i < updates.Count; i++)
        {
            results[i] = await TryUpdateAsync(updates[i].Step, updates[i].ExpectedVersion, cancellationToken).ConfigureAwait(false);
        }

        return results;
    }

    /// <summary>One step by id.</summary>
    Task<ScheduledStep?> FindAsync(Guid id, CancellationToken cancellationToken);

    /// <summary>Steps matching <paramref name="query"/>, newest due first.</summary>
    Task<IReadOnlyList<ScheduledStep>> QueryAsync(StepQuery query, CancellationToken cancellationToken);
}

/// <summary>One guarded write of <see cref="IScheduledStepStore.TryUpdateManyAsync"/>.</summary>
/// <param name="Step">The step, with the state, reason and times to write.</param>
/// <param name="ExpectedVersion">The version it was claimed at: written only if the stored version is still this one.</param>
public readonly record struct StepUpdate(ScheduledStep Step, int ExpectedVersion);

/// <summary>A filter over scheduled steps, for admin pages and tests.</summary>
public sealed record StepQuery
{
    /// <summary>Only this customer's.</summary>
    public string? CustomerId { get; init; }

    /// <summary>Only this flow's.</summary>
    public string? FlowId { get; init; }

    /// <summary>Only in this state.</summary>
    public StepState? State { get; init; }

    /// <summary>Only steps completed (Sent) at or after this time: used by frequency caps.</summary>
    public DateTimeOffset? CompletedSince { get; init; }

    /// <summary>At most this many.</summary>
    public int Take { get; init; } = 200;
}

/// <summary>Suppressed addresses: unsubscribes and hard bounces.</summary>
public interface ISuppressionStore
{
    /// <summary>The suppressions of one address.</summary>
    Task<IReadOnlyList<Suppression>> GetAsync(string normalizedEmail, CancellationToken cancellationToken);

    /// <summary>
    /// The suppressions of each of <paramref name="normalizedEmails"/>, by address (ordinal): every address asked for
    /// has an entry, empty when it is not suppressed; a repeated address is read once. The stores of Loyalty read them
    /// in one statement per 500 addresses; this default reads them one by one with
    /// <see cref="GetAsync(string, CancellationToken)"/>, so a store of a shop needs nothing more to keep working.
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="normalizedEmails"/> is null.</exception>
    /// <exception cref="ArgumentException">An address is null or empty.</exception>
    async Task<IReadOnlyDictionary<string, IReadOnlyList<Suppression>>> GetAsync(IReadOnlyCollection<string> normalizedEmails, CancellationToken cancellationToken)
    {
        var emails = StoreKeys.DistinctOrThrow(normalizedEmails, nameof(normalizedEmails));
        var suppressions = new Dictionary<string, IReadOnlyList<Suppression>>(emails.Count, StringComparer.Ordinal);
        foreach (var email in emails)
        {
            suppressions[email] = await GetAsync(email, cancellationToken).ConfigureAwait(false);
        }

        return suppressions;
    }

    /// <summary>Adds a suppression; adding one that exists changes nothing.</summary>
    Task AddAsync(Suppression suppression, CancellationToken cancellationToken);

    /// <summary>Removes a suppression (re-subscribe); removing one that does not exist changes nothing.</summary>
    Task RemoveAsync(string normalizedEmail, string category, CancellationToken cancellationToken);
}
