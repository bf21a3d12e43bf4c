using System.Globalization;
using Loyalty.Stores;
using System.Data.Common;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;
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

        return await WithBusyTimeoutAsync(() => CommitCoreAsync(changes, cancellationToken), cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    /// <remarks>
    /// One transaction for the whole batch, after one statement of checks for all its sets. When the store owns the
    /// transaction (and the database is not SQLite), the new rows go as one multi-row INSERT per table and only the updated rows through
    /// <c>SaveChanges</c>; inside the shop's transaction, or with <see cref="AutoSaveChanges"/> off, all go through the
    /// change tracker as before.
    /// All or nothing: when a set's event was accepted before, or a customer's version is not the expected one, no
    /// set is written; that set is answered DuplicateEvent or Conflict and every other set Conflict, to be planned
    /// again. A customer in several sets is written once, with the last set's values and the version of the chain.
    /// </remarks>
    public async Task<IReadOnlyList<IntakeCommitResult>> CommitManyAsync(IReadOnlyList<IntakeChangeSet> changeSets, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(changeSets);
        if (changeSets.Any(c => c is null || c.Events.Count == 0))
        {
            throw new ArgumentException("Every change set holds the accepted event first.", nameof(changeSets));
        }

        if (changeSets.Count == 0)
        {
            return [];
        }

        return await WithBusyTimeoutAsync(() => CommitManyCoreAsync(changeSets, cancellationToken), cancellationToken).ConfigureAwait(false);
    }

    private async Task<T> WithBusyTimeoutAsync<T>(Func<Task<T>> commit, CancellationToken cancellationToken)
    {
        if (!string.Equals(_context.Database.ProviderName, SqliteProvider, StringComparison.Ordinal))
        {
            return await commit().ConfigureAwait(false);
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
            return await commit().ConfigureAwait(false);
        }
        finally
        {
            await _context.Database.CloseConnectionAsync().ConfigureAwait(false);
        }
    }

    private async Task<IReadOnlyList<IntakeCommitResult>> CommitManyCoreAsync(IReadOnlyList<IntakeChangeSet> changeSets, CancellationToken cancellationToken)
    {
        var eventId = changeSets[0].Events[0].EventId;
        for (var attempt = 1; ; attempt++)
        {
            var staged = new StagedEntities(_context, keysUnique: true);
            var keep = false;
            try
            {
                var known = await KnownRowsAsync(changeSets, cancellationToken).ConfigureAwait(false);
                var (results, versions) = CheckMany(changeSets, known);
                if (results.Any(r => r != IntakeCommitResult.Committed))
                {
                    return Refused(results);
                }

                await StageAndSaveManyAsync(changeSets, known, staged, cancellationToken).ConfigureAwait(false);
                keep = !AutoSaveChanges;

                for (var i = 0; i < changeSets.Count; i++)
                {
                    changeSets[i].Customer?.Version = versions[i];
                }

                return results;
            }
            catch (DbUpdateConcurrencyException)
            {
                staged.DetachAll();
                var firstIds = changeSets.Select(c => c.Events[0].EventId).Distinct().ToList();
                var accepted = (await _context.Set<ProcessedEvent>().AsNoTracking().Where(e => firstIds.Contains(e.EventId)).Select(e => e.EventId)
                    .ToListAsync(cancellationToken).ConfigureAwait(false)).ToHashSet(StringComparer.Ordinal);
                return changeSets.Select(c => accepted.Contains(c.Events[0].EventId) ? IntakeCommitResult.DuplicateEvent : IntakeCommitResult.Conflict).ToList();
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

    // Every staged row is Added, or Modified with its state and original version set by hand, so there is nothing
    // for EF to detect in them. With auto-detect on, StagedEntities' look-up of tracked rows and SaveChanges each ran
    // DetectChanges over the whole batch (snapshot comparison of ~400 entities per 100 events). The shop's own tracked
    // changes are detected once, before staging, exactly as SaveChanges would have; the shop's setting comes back after.
    private async Task StageAndSaveManyAsync(IReadOnlyList<IntakeChangeSet> changeSets, KnownRows known, StagedEntities staged, CancellationToken cancellationToken)
    {
        var tracker = _context.ChangeTracker;
        var autoDetect = tracker.AutoDetectChangesEnabled;
        if (autoDetect)
        {
            tracker.DetectChanges();
        }

        tracker.AutoDetectChangesEnabled = false;
        try
        {
            // Not on SQLite: there the batched write was already near the raw INSERT, and side by side the multi-row
            // INSERT measured slower (Microsoft.Data.Sqlite binds each of some thousands of parameters by name).
            var direct = AutoSaveChanges && _context.Database.CurrentTransaction is null
                && !string.Equals(_context.Database.ProviderName, SqliteProvider, StringComparison.Ordinal)
                && !TracksIntakeRows(tracker) && RowInserter.Tables(_context) is not null;
            var newRows = direct ? new NewRows() : null;
            StageMany(changeSets, known, staged, newRows);
            if (newRows is not null)
            {
                await InsertAndSaveAsync(newRows, cancellationToken).ConfigureAwait(false);
            }
            else if (AutoSaveChanges)
            {
                await _context.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            tracker.AutoDetectChangesEnabled = autoDetect;
        }
    }

    private static bool TracksIntakeRows(Microsoft.EntityFrameworkCore.ChangeTracking.ChangeTracker tracker)
        => tracker.Entries<ProcessedEvent>().Any() || tracker.Entries<LoyaltyCustomer>().Any()
            || tracker.Entries<CustomerOrder>().Any() || tracker.Entries<ScheduledStep>().Any();

    private static void AddNew<T>(T entity, StagedEntities staged, NewRows? newRows)
        where T : class
    {
        if (newRows is null)
        {
            staged.Add(entity);
        }
        else
        {
            newRows.Add(entity);
        }
    }

    // EF's update pipeline was most of a batch's cost on PostgreSQL (docs/performance/intake-batch.md): per row a
    // tracked entry, a ModificationCommand and its column modifications, and the garbage of all of them. The new
    // rows go instead as one multi-row INSERT per table, with EF's own column names and type mappings (converters
    // included); the updated customers and orders, with their version check, and anything the shop left pending
    // still go through SaveChanges, in the same transaction. Only used when the store owns the transaction (no
    // savepoint questions) and the context tracks none of these rows (nothing to detach or collide with).
    private async Task InsertAndSaveAsync(NewRows newRows, CancellationToken cancellationToken)
    {
        await using var transaction = await _context.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var inserter = new RowInserter(_context, transaction.GetDbTransaction());
            var tables = RowInserter.Tables(_context)!;
            foreach (var (type, rows) in newRows.ByType)
            {
                await inserter.InsertAsync(tables[type], rows, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (DbException ex)
        {
            throw new DbUpdateException("An error occurred while inserting the batch's new rows.", ex);
        }

        await _context.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    // Walks the sets in order as the writes would go: a set's customer must be at the version the earlier sets of the
    // batch leave it at, and an event id recorded by an earlier set counts as accepted.
    private (IntakeCommitResult[] Results, int[] Versions) CheckMany(IReadOnlyList<IntakeChangeSet> changeSets, KnownRows known)
    {
        var results = new IntakeCommitResult[changeSets.Count];
        var versions = new int[changeSets.Count];
        var current = new Dictionary<string, int>(known.CustomerVersions, StringComparer.Ordinal);
        var batchEvents = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < changeSets.Count; i++)
        {
            var changes = changeSets[i];
            var first = changes.Events[0].EventId;
            if (known.Events.Contains(first) || batchEvents.Contains(first))
            {
                Log.DuplicateEvent(_logger, first);
                results[i] = IntakeCommitResult.DuplicateEvent;
                continue;
            }

            if (changes.Customer is { CustomerId: var customerId })
            {
                int? version = current.TryGetValue(customerId, out var v) ? v : null;
                if (version != changes.ExpectedCustomerVersion)
                {
                    Log.CustomerConflict(_logger, customerId, changes.ExpectedCustomerVersion);
                    results[i] = IntakeCommitResult.Conflict;
                    continue;
                }

                versions[i] = current[customerId] = (changes.ExpectedCustomerVersion ?? 0) + 1;
            }

            foreach (var e in changes.Events)
            {
                batchEvents.Add(e.EventId);
            }

            results[i] = IntakeCommitResult.Committed;
        }

        return (results, versions);
    }

    private static List<IntakeCommitResult> Refused(IntakeCommitResult[] results)
        => results.Select(r => r == IntakeCommitResult.DuplicateEvent ? r : IntakeCommitResult.Conflict).ToList();

    private void StageMany(IReadOnlyList<IntakeChangeSet> changeSets, KnownRows known, StagedEntities staged, NewRows? newRows)
    {
        var written = new HashSet<string>(StringComparer.Ordinal);
        var customers = new Dictionary<string, (LoyaltyCustomer Last, int? FirstExpected, int Version)>(StringComparer.Ordinal);
        var orders = new Dictionary<(string, string), CustomerOrder>();
        var stepKeys = known.StepKeys;
        var skippedEvents = 0;
        var skippedSteps = 0;
        foreach (var changes in changeSets)
        {
            // As in one commit per event: a derived event recorded before (in the database, or by an earlier set of
            // the batch) is left out with its steps; an id repeated inside one set is the same record.
            var skipped = new HashSet<string>(StringComparer.Ordinal);
            var setWritten = new HashSet<string>(StringComparer.Ordinal);
            foreach (var e in changes.Events)
            {
                if (known.Events.Contains(e.EventId) || written.Contains(e.EventId))
                {
                    skipped.Add(e.EventId);
                }
                else if (setWritten.Add(e.EventId))
                {
                    AddNew(e.Copy(), staged, newRows);
                }
            }

            written.UnionWith(setWritten);
            skippedEvents += skipped.Count;
            if (changes.Customer is { } customer)
            {
                var version = (changes.ExpectedCustomerVersion ?? 0) + 1;
                customers[customer.CustomerId] = customers.TryGetValue(customer.CustomerId, out var earlier)
                    ? (customer, earlier.FirstExpected, version)
                    : (customer, changes.ExpectedCustomerVersion, version);
            }

            foreach (var order in changes.Orders)
            {
                orders[(order.CustomerId, order.OrderId)] = order; // the last version in the batch wins
            }

            foreach (var step in changes.Steps)
            {
                if (skipped.Contains(step.TriggerEventId) || !stepKeys.Add(step.DedupeKey))
                {
                    skippedSteps++;
                    continue;
                }

                AddNew(step.Copy(), staged, newRows);
            }
        }

        foreach (var (last, firstExpected, version) in customers.Values)
        {
            var copy = last.Copy();
            copy.Version = version;
            if (firstExpected is { } expected)
            {
                var entry = staged.Attach(copy);
                entry.State = EntityState.Modified;
                entry.Property(c => c.Version).OriginalValue = expected;
            }
            else
            {
                AddNew(copy, staged, newRows);
            }
        }

        foreach (var ((customerId, orderId), order) in orders)
        {
            if (known.Orders.Contains((customerId, orderId)))
            {
                staged.Attach(order.Copy()).State = EntityState.Modified;
            }
            else
            {
                AddNew(order.Copy(), staged, newRows);
            }
        }

        if (skippedEvents > 0 || skippedSteps > 0)
        {
            Log.LeftOut(_logger, changeSets[0].Events[0].EventId, skippedEvents, skippedSteps);
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
        var known = await KnownRowsAsync([changes], cancellationToken).ConfigureAwait(false);
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
            int? knownVersion = known.CustomerVersions.TryGetValue(customer.CustomerId, out var v) ? v : null;
            if (knownVersion != changes.ExpectedCustomerVersion)
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
    /// What of the change sets the database already holds: the events, the customers' versions, the orders and the
    /// step keys. One statement (UNION ALL of four index searches), not four, and one for a whole batch: intake's
    /// rate is set by round trips to the database, and these checks were four of them.
    /// </summary>
    private async Task<KnownRows> KnownRowsAsync(IReadOnlyList<IntakeChangeSet> changeSets, CancellationToken cancellationToken)
    {
        var eventIds = changeSets.SelectMany(c => c.Events).Select(e => e.EventId).Distinct().ToList();
        IQueryable<KnownRow> query = _context.Set<ProcessedEvent>().AsNoTracking()
            .Where(e => eventIds.Contains(e.EventId))
            .Select(e => new KnownRow { Kind = KnownRow.Event, Key = e.EventId, OrderId = null, Version = null });
        var customerIds = changeSets.Where(c => c.Customer is not null).Select(c => c.Customer!.CustomerId).Distinct().ToList();
        if (customerIds.Count == 1)
        {
            var customerId = customerIds[0];
            query = query.Concat(_context.Set<LoyaltyCustomer>().AsNoTracking()
                .Where(c => c.CustomerId == customerId)
                .Select(c => new KnownRow { Kind = KnownRow.Customer, Key = c.CustomerId, OrderId = null, Version = c.Version }));
        }
        else if (customerIds.Count > 1)
        {
            query = query.Concat(_context.Set<LoyaltyCustomer>().AsNoTracking()
                .Where(c => customerIds.Contains(c.CustomerId))
                .Select(c => new KnownRow { Kind = KnownRow.Customer, Key = c.CustomerId, OrderId = null, Version = c.Version }));
        }

        var allOrders = changeSets.SelectMany(c => c.Orders).ToList();
        if (allOrders.Count > 0)
        {
            var orderCustomerIds = allOrders.Select(o => o.CustomerId).Distinct().ToList();
            var orderIds = allOrders.Select(o => o.OrderId).Distinct().ToList();
            query = query.Concat(_context.Set<CustomerOrder>().AsNoTracking()
                .Where(o => orderCustomerIds.Contains(o.CustomerId) && orderIds.Contains(o.OrderId))
                .Select(o => new KnownRow { Kind = KnownRow.Order, Key = o.CustomerId, OrderId = o.OrderId, Version = null }));
        }

        var keys = changeSets.SelectMany(c => c.Steps).Select(s => s.DedupeKey).Distinct().ToList();
        if (keys.Count > 0)
        {
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
                case KnownRow.Customer: known.CustomerVersions[row.Key] = row.Version ?? 0; break;
                case KnownRow.Order: known.Orders.Add((row.Key, row.OrderId!)); break;
                default: known.StepKeys.Add(row.Key); break;
            }
        }

        return known;
    }

    // New rows by entity type, in the order the types were first staged.
    private sealed class NewRows
    {
        public List<(Type Type, List<object> Rows)> ByType { get; } = [];

        public void Add(object entity)
        {
            var type = entity.GetType();
            foreach (var (t, rows) in ByType)
            {
                if (t == type)
                {
                    rows.Add(entity);
                    return;
                }
            }

            ByType.Add((type, [entity]));
        }
    }

    private sealed class KnownRows
    {
        public HashSet<string> Events { get; } = new(StringComparer.Ordinal);

        public Dictionary<string, int> CustomerVersions { get; } = new(StringComparer.Ordinal);

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

    // One parameterised multi-row INSERT per table (split to stay under the providers' parameter limits).
    private sealed class RowInserter(DbContext context, DbTransaction transaction)
    {
        private const int MaxParameters = 30_000; // SQLite's default limit is 32,766, PostgreSQL's 65,535
        private static readonly Type[] IntakeTypes = [typeof(ProcessedEvent), typeof(LoyaltyCustomer), typeof(CustomerOrder), typeof(ScheduledStep)];
        private static readonly string TablesKey = "Loyalty:IntakeStore:Insert:" + typeof(TContext).FullName;

        /// <summary>
        /// The INSERT of each intake type, built once per model (a runtime annotation, as the compiled queries); null
        /// when a mapping is not plain (a shadow or complex property, a navigation, inheritance), so intake uses SaveChanges.
        /// </summary>
        public static Dictionary<Type, TableInsert>? Tables(DbContext context)
            => CompiledQueries.For(context, TablesKey, static c => new InsertTables(Build(c))).Tables;

        private static Dictionary<Type, TableInsert>? Build(DbContext context)
        {
            var model = context.Model;
            if (!IntakeTypes.All(t => model.FindEntityType(t) is { } e && e.GetTableName() is not null
                && !e.GetProperties().Any(p => p.IsShadowProperty()) && !e.GetNavigations().Any()
                && !e.GetComplexProperties().Any() && e.GetDirectlyDerivedTypes().Any() is false && e.BaseType is null))
            {
                return null;
            }

            var sql = context.GetService<ISqlGenerationHelper>();
            var tables = new Dictionary<Type, TableInsert>();
            foreach (var type in IntakeTypes)
            {
                var entityType = model.FindEntityType(type)!;
                var table = StoreObjectIdentifier.Table(entityType.GetTableName()!, entityType.GetSchema());
                var properties = entityType.GetProperties().Where(p => p.GetColumnName(table) is not null).ToList();
                var head = "INSERT INTO " + sql.DelimitIdentifier(table.Name, table.Schema) + " ("
                    + string.Join(", ", properties.Select(p => sql.DelimitIdentifier(p.GetColumnName(table)!))) + ") VALUES ";
                tables[type] = new TableInsert(
                    head,
                    [.. properties.Select(p => (p.GetRelationalTypeMapping(), p.GetGetter(), p.IsNullable))],
                    sql);
            }

            return tables;
        }

        public async Task InsertAsync(TableInsert insert, List<object> rows, CancellationToken cancellationToken)
        {
            var columns = insert.Columns;
            var perStatement = Math.Max(1, MaxParameters / columns.Length);
            for (var start = 0; start < rows.Count; start += perStatement)
            {
                var count = Math.Min(perStatement, rows.Count - start);
                await using var command = context.Database.GetDbConnection().CreateCommand();
                command.Transaction = transaction;
                if (context.Database.GetCommandTimeout() is { } timeout)
                {
                    command.CommandTimeout = timeout;
                }

                var text = new StringBuilder(insert.Head, insert.Head.Length + (count * columns.Length * 8));
                var n = 0;
                for (var r = 0; r < count; r++)
                {
                    var row = rows[start + r];
                    text.Append(r == 0 ? "(" : ", (");
                    for (var c = 0; c < columns.Length; c++)
                    {
                        var name = "p" + n.ToString(CultureInfo.InvariantCulture);
                        n++;
                        text.Append(c == 0 ? "" : ", ").Append(insert.Sql.GenerateParameterNamePlaceholder(name));
                        var (mapping, getter, nullable) = columns[c];
                        command.Parameters.Add(mapping.CreateParameter(command, insert.Sql.GenerateParameterName(name), getter.GetClrValueUsingContainingEntity(row), nullable));
                    }

                    text.Append(')');
                }

                command.CommandText = text.ToString();
                await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }
        }
    }

    // The runtime annotation needs a reference type, also when the answer is "not plain" (null).
    private sealed record InsertTables(Dictionary<Type, TableInsert>? Tables);

    // One table's INSERT head ("INSERT INTO t (a, b) VALUES ") and, per column, how a row's value becomes a parameter.
    private sealed record TableInsert(string Head, (RelationalTypeMapping Mapping, IClrPropertyGetter Getter, bool Nullable)[] Columns, ISqlGenerationHelper Sql);
}
