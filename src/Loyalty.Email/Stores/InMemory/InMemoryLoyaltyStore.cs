using Loyalty.Stores;

namespace Loyalty.Email.Stores.InMemory;

/// <summary>
/// All of Loyalty's stores in memory, behind one lock: for unit tests and quick experiments. NOT durable:
/// everything is lost when the process ends, and nothing is shared between processes. Use the
/// Loyalty.EntityFrameworkCore stores for anything real.
/// </summary>
/// <remarks>
/// It behaves as the EF stores do: records are copied in and out (a caller's object is never shared with the
/// store), the customer is written with <c>Version = ExpectedCustomerVersion + 1</c> (1 when new), and a claim
/// leases due Scheduled or Held steps in <see cref="ScheduledStep.AvailableAt"/> order.
/// </remarks>
public sealed class InMemoryLoyaltyStore : IProcessedEventStore, ICustomerStore, IIntakeStore, IScheduledStepStore, ISuppressionStore
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, ProcessedEvent> _events = new(StringComparer.Ordinal);
    private readonly Dictionary<string, LoyaltyCustomer> _customers = new(StringComparer.Ordinal);
    private readonly Dictionary<(string CustomerId, string OrderId), CustomerOrder> _orders = [];
    private readonly Dictionary<Guid, ScheduledStep> _steps = [];
    private readonly Dictionary<string, Guid> _dedupeKeys = new(StringComparer.Ordinal);
    private readonly Dictionary<(string NormalizedEmail, string Category), Suppression> _suppressions = [];

    /// <inheritdoc />
    public Task<bool> IsProcessedAsync(string eventId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(eventId);
        lock (_lock)
        {
            return Task.FromResult(_events.ContainsKey(eventId));
        }
    }

    /// <inheritdoc />
    public Task<LoyaltyCustomer?> FindByIdAsync(string customerId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(customerId);
        lock (_lock)
        {
            return Task.FromResult(_customers.TryGetValue(customerId, out var customer) ? customer.Copy() : null);
        }
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<CustomerOrder>> GetOrdersAsync(string customerId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(customerId);
        lock (_lock)
        {
            IReadOnlyList<CustomerOrder> orders = _orders.Values
                .Where(o => o.CustomerId == customerId)
                .OrderBy(o => o.PlacedAt).ThenBy(o => o.OrderId, StringComparer.Ordinal)
                .Select(x => x.Copy())
                .ToList();
            return Task.FromResult(orders);
        }
    }

    /// <inheritdoc />
    public Task<IReadOnlyDictionary<string, LoyaltyCustomer>> FindByIdsAsync(IReadOnlyCollection<string> customerIds, CancellationToken cancellationToken)
    {
        var ids = StoreKeys.DistinctOrThrow(customerIds, nameof(customerIds));
        lock (_lock)
        {
            IReadOnlyDictionary<string, LoyaltyCustomer> found = ids
                .Where(_customers.ContainsKey)
                .ToDictionary(id => id, id => _customers[id].Copy(), StringComparer.Ordinal);
            return Task.FromResult(found);
        }
    }

    /// <inheritdoc />
    public Task<IReadOnlyDictionary<string, IReadOnlyList<CustomerOrder>>> GetOrdersAsync(IReadOnlyCollection<string> customerIds, CancellationToken cancellationToken)
    {
        var ids = StoreKeys.DistinctOrThrow(customerIds, nameof(customerIds));
        lock (_lock)
        {
            var wanted = ids.ToDictionary(id => id, _ => new List<CustomerOrder>(), StringComparer.Ordinal);
            foreach (var order in _orders.Values.OrderBy(o => o.PlacedAt).ThenBy(o => o.OrderId, StringComparer.Ordinal))
            {
                if (wanted.TryGetValue(order.CustomerId, out var list))
                {
                    list.Add(order.Copy());
                }
            }

            IReadOnlyDictionary<string, IReadOnlyList<CustomerOrder>> orders = wanted.ToDictionary(p => p.Key, p => (IReadOnlyList<CustomerOrder>)p.Value, StringComparer.Ordinal);
            return Task.FromResult(orders);
        }
    }

    /// <inheritdoc />
    public Task<IntakeCommitResult> CommitAsync(IntakeChangeSet changes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(changes);
        if (changes.Events.Count == 0)
        {
            throw new ArgumentException("A change set holds the accepted event first.", nameof(changes));
        }

        lock (_lock)
        {
            if (_events.ContainsKey(changes.Events[0].EventId))
            {
                return Task.FromResult(IntakeCommitResult.DuplicateEvent);
            }

            var customer = changes.Customer;
            int? stored = customer is not null && _customers.TryGetValue(customer.CustomerId, out var current) ? current.Version : null;
            if (customer is not null && stored != changes.ExpectedCustomerVersion)
            {
                return Task.FromResult(IntakeCommitResult.Conflict);
            }

            Apply(changes);
            return Task.FromResult(IntakeCommitResult.Committed);
        }
    }

    /// <inheritdoc />
    /// <remarks>All or nothing, as the EF store: when a set is a duplicate or conflicts, no set is written.</remarks>
    public Task<IReadOnlyList<IntakeCommitResult>> CommitManyAsync(IReadOnlyList<IntakeChangeSet> changeSets, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(changeSets);
        if (changeSets.Any(c => c is null || c.Events.Count == 0))
        {
            throw new ArgumentException("Every change set holds the accepted event first.", nameof(changeSets));
        }

        lock (_lock)
        {
            var results = new IntakeCommitResult[changeSets.Count];
            var versions = new Dictionary<string, int?>(StringComparer.Ordinal);
            var batchEvents = new HashSet<string>(StringComparer.Ordinal);
            var refused = false;
            for (var i = 0; i < changeSets.Count; i++)
            {
                var changes = changeSets[i];
                if (_events.ContainsKey(changes.Events[0].EventId) || batchEvents.Contains(changes.Events[0].EventId))
                {
                    results[i] = IntakeCommitResult.DuplicateEvent;
                    refused = true;
                    continue;
                }

                if (changes.Customer is { CustomerId: var id })
                {
                    var current = versions.TryGetValue(id, out var v) ? v : _customers.TryGetValue(id, out var c) ? c.Version : null;
                    if (current != changes.ExpectedCustomerVersion)
                    {
                        results[i] = IntakeCommitResult.Conflict;
                        refused = true;
                        continue;
                    }

                    versions[id] = (changes.ExpectedCustomerVersion ?? 0) + 1;
                }

                batchEvents.UnionWith(changes.Events.Select(e => e.EventId));
                results[i] = IntakeCommitResult.Committed;
            }

            if (refused)
            {
                for (var i = 0; i < results.Length; i++)
                {
                    results[i] = results[i] == IntakeCommitResult.DuplicateEvent ? IntakeCommitResult.DuplicateEvent : IntakeCommitResult.Conflict;
                }

                return Task.FromResult<IReadOnlyList<IntakeCommitResult>>(results);
            }

            foreach (var changes in changeSets)
            {
                Apply(changes);
            }

            return Task.FromResult<IReadOnlyList<IntakeCommitResult>>(results);
        }
    }

    // Every check is done: from here on nothing can fail, so the write is all or nothing.
    private void Apply(IntakeChangeSet changes)
    {
        var customer = changes.Customer;
        var skippedEvents = new HashSet<string>(StringComparer.Ordinal);
        foreach (var e in changes.Events)
        {
            if (!_events.TryAdd(e.EventId, e.Copy()))
            {
                skippedEvents.Add(e.EventId);
            }
        }

        if (customer is not null)
        {
            var copy = customer.Copy();
            copy.Version = (changes.ExpectedCustomerVersion ?? 0) + 1;
            _customers[copy.CustomerId] = copy;
            customer.Version = copy.Version;
        }

        foreach (var order in changes.Orders)
        {
            _orders[(order.CustomerId, order.OrderId)] = order.Copy();
        }

        foreach (var step in changes.Steps)
        {
            if (skippedEvents.Contains(step.TriggerEventId) || _dedupeKeys.ContainsKey(step.DedupeKey) || _steps.ContainsKey(step.Id))
            {
                continue;
            }

            _dedupeKeys.Add(step.DedupeKey, step.Id);
            _steps.Add(step.Id, step.Copy());
        }
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<ScheduledStep>> ClaimDueAsync(DateTimeOffset now, int maxCount, string owner, TimeSpan lease, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxCount);
        ArgumentException.ThrowIfNullOrEmpty(owner);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(lease, TimeSpan.Zero);
        lock (_lock)
        {
            IReadOnlyList<ScheduledStep> claimed = _steps.Values
                .Where(s => IsClaimable(s, now))
                .OrderBy(s => s.AvailableAt).ThenBy(s => s.Id)
                .Take(maxCount)
                .ToList()
                .Select(s => Lease(s, now, owner, lease))
                .ToList();
            return Task.FromResult(claimed);
        }
    }

    /// <inheritdoc />
    public Task<ScheduledStep?> ClaimByIdAsync(Guid id, DateTimeOffset now, string owner, TimeSpan lease, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(owner);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(lease, TimeSpan.Zero);
        lock (_lock)
        {
            return Task.FromResult(_steps.TryGetValue(id, out var step) && IsClaimable(step, now) ? Lease(step, now, owner, lease) : null);
        }
    }

    /// <inheritdoc />
    public Task<bool> TryUpdateAsync(ScheduledStep step, int expectedVersion, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(step);
        lock (_lock)
        {
            if (!_steps.TryGetValue(step.Id, out var stored) || stored.Version != expectedVersion)
            {
                return Task.FromResult(false);
            }

            stored.State = step.State;
            stored.Reason = step.Reason;
            stored.MessageId = step.MessageId;
            stored.Priority = step.Priority;
            stored.Attempts = step.Attempts;
            stored.LeaseOwner = step.LeaseOwner;
            stored.DueAt = step.DueAt;
            stored.AvailableAt = step.AvailableAt;
            stored.UpdatedAt = step.UpdatedAt;
            stored.CompletedAt = step.CompletedAt;
            stored.Version = expectedVersion + 1;
            step.Version = stored.Version;
            return Task.FromResult(true);
        }
    }

    /// <inheritdoc />
    public Task<ScheduledStep?> FindAsync(Guid id, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            return Task.FromResult(_steps.TryGetValue(id, out var step) ? step.Copy() : null);
        }
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<ScheduledStep>> QueryAsync(StepQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        lock (_lock)
        {
            IReadOnlyList<ScheduledStep> steps = _steps.Values
                .Where(s => query.CustomerId is null || s.CustomerId == query.CustomerId)
                .Where(s => query.FlowId is null || s.FlowId == query.FlowId)
                .Where(s => query.State is null || s.State == query.State)
                .Where(s => query.CompletedSince is null || (s.State == StepState.Sent && s.CompletedAt >= query.CompletedSince))
                .OrderByDescending(s => s.DueAt).ThenBy(s => s.Id)
                .Take(query.Take)
                .Select(x => x.Copy())
                .ToList();
            return Task.FromResult(steps);
        }
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<Suppression>> GetAsync(string normalizedEmail, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(normalizedEmail);
        lock (_lock)
        {
            IReadOnlyList<Suppression> suppressions = _suppressions.Values
                .Where(s => s.NormalizedEmail == normalizedEmail)
                .OrderBy(s => s.Category, StringComparer.Ordinal)
                .Select(x => x.Copy())
                .ToList();
            return Task.FromResult(suppressions);
        }
    }

    /// <inheritdoc />
    public Task<IReadOnlyDictionary<string, IReadOnlyList<Suppression>>> GetAsync(IReadOnlyCollection<string> normalizedEmails, CancellationToken cancellationToken)
    {
        var emails = StoreKeys.DistinctOrThrow(normalizedEmails, nameof(normalizedEmails));
        lock (_lock)
        {
            var wanted = emails.ToDictionary(e => e, _ => new List<Suppression>(), StringComparer.Ordinal);
            foreach (var suppression in _suppressions.Values.OrderBy(s => s.Category, StringComparer.Ordinal))
            {
                if (wanted.TryGetValue(suppression.NormalizedEmail, out var list))
                {
                    list.Add(suppression.Copy());
                }
            }

            IReadOnlyDictionary<string, IReadOnlyList<Suppression>> suppressions = wanted.ToDictionary(p => p.Key, p => (IReadOnlyList<Suppression>)p.Value, StringComparer.Ordinal);
            return Task.FromResult(suppressions);
        }
    }

    /// <inheritdoc />
    public Task AddAsync(Suppression suppression, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(suppression);
        lock (_lock)
        {
            _suppressions.TryAdd((suppression.NormalizedEmail, suppression.Category), suppression.Copy());
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task RemoveAsync(string normalizedEmail, string category, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(normalizedEmail);
        ArgumentNullException.ThrowIfNull(category);
        lock (_lock)
        {
            _suppressions.Remove((normalizedEmail, category));
        }

        return Task.CompletedTask;
    }

    private static bool IsClaimable(ScheduledStep step, DateTimeOffset now) =>
        step.State is StepState.Scheduled or StepState.Held && step.AvailableAt <= now;

    private static ScheduledStep Lease(ScheduledStep stored, DateTimeOffset now, string owner, TimeSpan lease)
    {
        stored.LeaseOwner = owner;
        stored.AvailableAt = now + lease;
        stored.Version++;
        stored.Attempts++;
        stored.UpdatedAt = now;
        return stored.Copy();
    }

}
