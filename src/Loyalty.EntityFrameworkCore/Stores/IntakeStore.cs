using System.Globalization;
using Loyalty.Stores;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Loyalty.EntityFrameworkCore.Stores;

/// <summary>
/// The single write of intake, in <typeparamref name="TContext"/>: the event, the events derived from it, the
/// customer, the orders and the scheduled steps, in one <c>SaveChanges</c> (one transaction), or nothing.
/// </summary>
/// <remarks>
/// <para>When the context has a transaction open (<c>Database.CurrentTransaction</c>), the write joins it and the
/// shop's commit or rollback decides: the transactional outbox. When <see cref="AutoSaveChanges"/> is false the
/// rows are only added to the change tracker and the shop's own <c>SaveChanges</c> writes them; a customer that
/// changed in between then fails that <c>SaveChanges</c> with a <see cref="DbUpdateConcurrencyException"/>.</para>
/// <para>The customer is written with <c>Version = ExpectedCustomerVersion + 1</c> (1 when new), and the new
/// version is set on <see cref="IntakeChangeSet.Customer"/>. Should another writer insert the same event, customer,
/// order or step between this store's checks and its write, the write is checked and tried again: the event
/// becomes <see cref="IntakeCommitResult.DuplicateEvent"/>, the customer <see cref="IntakeCommitResult.Conflict"/>,
/// the step is left out. The store saves copies of the given records and leaves nothing tracked after it saved.</para>
/// </remarks>
/// <typeparam name="TContext">A context whose model called <c>modelBuilder.AddLoyalty()</c>.</typeparam>
public sealed class IntakeStore<TContext> : IIntakeStore
    where TContext : DbContext
{
    private const int MaxAttempts = 3;
    private const string SqliteProvider = "Microsoft.EntityFrameworkCore.Sqlite";
    private readonly TContext _context;
    private readonly ILogger _logger;

    /// <summary>Creates the store over <paramref name="context"/>.</summary>
    public IntakeStore(TContext context, IOptions<LoyaltyEntityFrameworkCoreOptions>? options = null, ILogger<IntakeStore<TContext>>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(context);
        _context = context;
        _logger = logger ?? (ILogger)NullLogger.Instance;
        AutoSaveChanges = options?.Value.AutoSaveChanges ?? true;
    }

    /// <summary>Whether the store saves its changes; see <see cref="LoyaltyEntityFrameworkCoreOptions.AutoSaveChanges"/>.</summary>
    public bool AutoSaveChanges { get; set; }

    /// <inheritdoc />
    public async Task<IntakeCommitResult> CommitAsync(IntakeChangeSet changes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(changes);
        if (changes.Events.Count == 0)
        {
            throw new ArgumentException("A change set holds the accepted event first.", nameof(changes));
        }

        if (!string.Equals(_context.Database.ProviderName, SqliteProvider, StringComparison.Ordinal))
        {
            return await CommitCoreAsync(changes, cancellationToken).ConfigureAwait(false);
        }

        // SQLite has one writer at a time. Microsoft.Data.Sqlite answers a busy database by sleeping 150 ms before it
        // tries again; SQLite's own busy handler wakes within milliseconds of the other writer's commit. With a few
        // concurrent publishers the 150-ms sleeps were most of intake's time (docs/performance.md). Same bound as the
        // command timeout, so nothing waits longer than it did.
        await _context.Database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var milliseconds = (_context.Database.GetCommandTimeout() ?? 30) * 1000L;
            var pragma = "PRAGMA busy_timeout = " + milliseconds.ToString(CultureInfo.InvariantCulture); // a number: PRAGMA takes no parameters
            await _context.Database.ExecuteSqlRawAsync(pragma, cancellationToken).ConfigureAwait(false);
            return await CommitCoreAsync(changes, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            await _context.Database.CloseConnectionAsync().ConfigureAwait(false);
        }
    }

    private async Task<IntakeCommitResult> CommitCoreAsync(IntakeChangeSet changes, CancellationToken cancellationToken)
    {
        var eventId = changes.Events[0].EventId;
        for (var attempt = 1; ; attempt++)
        {
            var staged = new StagedEntities(_context);
            var keep = false;
            try
            {
                var (result, customerVersion) = await StageAsync(changes, staged, cancellationToken).ConfigureAwait(false);
                if (result == IntakeCommitResult.Conflict)
                {
                    staged.DetachAll();
                    return await ConflictOrDuplicateAsync(changes, cancellationToken).ConfigureAwait(false);
                }

                if (result != IntakeCommitResult.Committed)
                {
                    return result;
                }

                if (AutoSaveChanges)
                {
                    await _context.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
                }
                else
                {
                    keep = true;
                }

                changes.Customer?.Version = customerVersion;
                return result;
            }
            catch (DbUpdateConcurrencyException)
            {
                staged.DetachAll();
                return await ConflictOrDuplicateAsync(changes, cancellationToken).ConfigureAwait(false);
            }
            catch (DbUpdateException ex) when (attempt < MaxAttempts)
            {
                // Most likely a unique key another writer took since the checks; the next round sees its row.
                Log.IntakeWriteRace(_logger, eventId, attempt, ex);
            }
            finally
            {
                if (!keep)
                {
                    staged.DetachAll();
                }
            }
        }
    }

    // The checks are separate reads: when the same event is delivered twice at once, the second delivery can see
    // the customer the first one wrote before it sees the first one's event. The event being known wins.
    private async Task<IntakeCommitResult> ConflictOrDuplicateAsync(IntakeChangeSet changes, CancellationToken cancellationToken)
    {
        var eventId = changes.Events[0].EventId;
        if (await _context.Set<ProcessedEvent>().AsNoTracking().AnyAsync(e => e.EventId == eventId, cancellationToken).ConfigureAwait(false))
        {
            Log.DuplicateEvent(_logger, eventId);
            return IntakeCommitResult.DuplicateEvent;
        }

        Log.CustomerConflict(_logger, changes.Customer?.CustomerId ?? "", changes.ExpectedCustomerVersion);
        return IntakeCommitResult.Conflict;
    }

    private async Task<(IntakeCommitResult Result, int CustomerVersion)> StageAsync(IntakeChangeSet changes, StagedEntities staged, CancellationToken cancellationToken)
    {
        var first = changes.Events[0];
        var known = await KnownRowsAsync(changes, cancellationToken).ConfigureAwait(false);
        var existingEvents = known.Events;
        if (existingEvents.Contains(first.EventId))
        {
            Log.DuplicateEvent(_logger, first.EventId);
            return (IntakeCommitResult.DuplicateEvent, 0);
        }

        var customer = changes.Customer;
        var newVersion = 0;
        if (customer is not null)
        {
            if (known.CustomerVersion != changes.ExpectedCustomerVersion)
            {
                return (IntakeCommitResult.Conflict, 0);
            }

            newVersion = (changes.ExpectedCustomerVersion ?? 0) + 1;
        }

        // Derived events (milestones) that exist were recorded by an earlier delivery of this event: leave them
        // and their steps out. A later event id in the set that equals an earlier one is the same record.
        var skippedEvents = new HashSet<string>(StringComparer.Ordinal);
        var written = new HashSet<string>(StringComparer.Ordinal);
        foreach (var e in changes.Events)
        {
            if (existingEvents.Contains(e.EventId))
            {
                skippedEvents.Add(e.EventId);
            }
            else if (written.Add(e.EventId))
            {
                staged.Add(e.Copy());
            }
        }

        if (customer is not null)
        {
            var copy = customer.Copy();
            copy.Version = newVersion;
            if (changes.ExpectedCustomerVersion is { } expected)
            {
                var entry = staged.Attach(copy);
                entry.State = EntityState.Modified;
                entry.Property(c => c.Version).OriginalValue = expected;
            }
            else
            {
                staged.Add(copy);
            }
        }

        if (changes.Orders.Count > 0)
        {
            var existingOrders = known.Orders;
            var seen = new HashSet<(string, string)>();
            foreach (var order in changes.Orders.AsEnumerable().Reverse())
            {
                // The last version of an order in the set wins.
                if (!seen.Add((order.CustomerId, order.OrderId)))
                {
                    continue;
                }

                if (existingOrders.Contains((order.CustomerId, order.OrderId)))
                {
                    staged.Attach(order.Copy()).State = EntityState.Modified;
                }
                else
                {
                    staged.Add(order.Copy());
                }
            }
        }

        var skippedSteps = 0;
        if (changes.Steps.Count > 0)
        {
            var existingKeys = known.StepKeys;
            foreach (var step in changes.Steps)
            {
                if (skippedEvents.Contains(step.TriggerEventId) || !existingKeys.Add(step.DedupeKey))
                {
                    skippedSteps++;
                    continue;
                }

                staged.Add(step.Copy());
            }
        }

        if (skippedEvents.Count > 0 || skippedSteps > 0)
        {
            Log.LeftOut(_logger, first.EventId, skippedEvents.Count, skippedSteps);
        }

        return (IntakeCommitResult.Committed, newVersion);
    }
    /// <summary>
    /// What of the change set the database already holds: the events, the customer's version, the orders and the
    /// step keys. One statement (UNION ALL of four index searches), not four: intake writes one event per
    /// transaction, so its rate is set by round trips to the database, and these checks were four of them.
    /// </summary>
    private async Task<KnownRows> KnownRowsAsync(IntakeChangeSet changes, CancellationToken cancellationToken)
    {
        var eventIds = changes.Events.Select(e => e.EventId).Distinct().ToList();
        IQueryable<KnownRow> query = _context.Set<ProcessedEvent>().AsNoTracking()
            .Where(e => eventIds.Contains(e.EventId))
            .Select(e => new KnownRow { Kind = KnownRow.Event, Key = e.EventId, OrderId = null, Version = null });
        if (changes.Customer is { CustomerId: var customerId })
        {
            query = query.Concat(_context.Set<LoyaltyCustomer>().AsNoTracking()
                .Where(c => c.CustomerId == customerId)
                .Select(c => new KnownRow { Kind = KnownRow.Customer, Key = c.CustomerId, OrderId = null, Version = c.Version }));
        }

        if (changes.Orders.Count > 0)
        {
            var customerIds = changes.Orders.Select(o => o.CustomerId).Distinct().ToList();
            var orderIds = changes.Orders.Select(o => o.OrderId).Distinct().ToList();
            query = query.Concat(_context.Set<CustomerOrder>().AsNoTracking()
                .Where(o => customerIds.Contains(o.CustomerId) && orderIds.Contains(o.OrderId))
                .Select(o => new KnownRow { Kind = KnownRow.Order, Key = o.CustomerId, OrderId = o.OrderId, Version = null }));
        }

        if (changes.Steps.Count > 0)
        {
            var keys = changes.Steps.Select(s => s.DedupeKey).Distinct().ToList();
            query = query.Concat(_context.Set<ScheduledStep>().AsNoTracking()
                .Where(s => keys.Contains(s.DedupeKey))
                .Select(s => new KnownRow { Kind = KnownRow.Step, Key = s.DedupeKey, OrderId = null, Version = null }));
        }

        var known = new KnownRows();
        foreach (var row in await query.ToListAsync(cancellationToken).ConfigureAwait(false))
        {
            switch (row.Kind)
            {
                case KnownRow.Event: known.Events.Add(row.Key); break;
                case KnownRow.Customer: known.CustomerVersion = row.Version; break;
                case KnownRow.Order: known.Orders.Add((row.Key, row.OrderId!)); break;
                default: known.StepKeys.Add(row.Key); break;
            }
        }

        return known;
    }

    private sealed class KnownRows
    {
        public HashSet<string> Events { get; } = new(StringComparer.Ordinal);

        public int? CustomerVersion { get; set; }

        public HashSet<(string CustomerId, string OrderId)> Orders { get; } = [];

        public HashSet<string> StepKeys { get; } = new(StringComparer.Ordinal);
    }

    // One row of the UNION ALL; every branch projects the same four columns.
    private sealed class KnownRow
    {
        public const int Event = 0;
        public const int Customer = 1;
        public const int Order = 2;
        public const int Step = 3;

        public int Kind { get; init; }

        public string Key { get; init; } = "";

        public string? OrderId { get; init; }

        public int? Version { get; init; }
    }
}
