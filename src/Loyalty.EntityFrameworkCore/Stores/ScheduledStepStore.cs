using System.Data;
using System.Data.Common;
using Loyalty.Stores;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Loyalty.EntityFrameworkCore.Stores;

/// <summary>
/// Scheduled steps in <typeparamref name="TContext"/>: the claim of due work and guarded transitions.
/// </summary>
/// <remarks>
/// <para>On PostgreSQL a claim is one statement: the due active rows are picked in <c>available_at</c> order
/// through the partial claim index with <c>FOR UPDATE SKIP LOCKED</c>, so concurrent workers take disjoint
/// rows without waiting for each other, and are leased in the same statement. On SQLite (one writer at a time)
/// the pick and the lease run in one immediate transaction. On other providers each picked row is leased with
/// its own update guarded by its version, so a row two workers picked goes to one of them.</para>
/// <para>A lease ends at the new <see cref="ScheduledStep.AvailableAt"/>; after it, the row is claimable again
/// and the version has moved, so the old holder's <see cref="TryUpdateAsync"/> returns false. Every write here
/// is immediate (not subject to <see cref="LoyaltyEntityFrameworkCoreOptions.AutoSaveChanges"/>) and nothing is
/// left tracked.</para>
/// </remarks>
/// <typeparam name="TContext">A context whose model called <c>modelBuilder.AddLoyalty()</c>.</typeparam>
public sealed class ScheduledStepStore<TContext> : IScheduledStepStore
    where TContext : DbContext
{
    private const string NpgsqlProvider = "Npgsql.EntityFrameworkCore.PostgreSQL";
    private const string SqliteProvider = "Microsoft.EntityFrameworkCore.Sqlite";

    // The steps one multi-row UPDATE writes: 13 parameters a row, well under PostgreSQL's 65,535.
    private const int RowsPerStatement = 500;

    // Groups up to this size are prepared on their connection (one server-side statement per size): the dispatcher's
    // groups hold at most one result per lane. Larger, rarer writes are not worth a statement kept per size.
    private const int MaxPreparedRows = 32;

    private static readonly string UpdateSqlKey = "Loyalty:ScheduledStepStore:Update:" + typeof(TContext).FullName;
    private static readonly string ClaimSqlKey = "Loyalty:ScheduledStepStore:Claim:" + typeof(TContext).FullName;

    private readonly TContext _context;
    private readonly ILogger _logger;
    private readonly bool _prepare;

    /// <summary>Creates the store over <paramref name="context"/>.</summary>
    public ScheduledStepStore(TContext context, IOptions<LoyaltyEntityFrameworkCoreOptions>? options = null, ILogger<ScheduledStepStore<TContext>>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(context);
        _context = context;
        _logger = logger ?? (ILogger)NullLogger.Instance;
        _prepare = options?.Value.PrepareStatements ?? true;
    }

    private DbSet<ScheduledStep> Steps => _context.Set<ScheduledStep>();

    /// <inheritdoc />
    public async Task<IReadOnlyList<ScheduledStep>> ClaimDueAsync(DateTimeOffset now, int maxCount, string owner, TimeSpan lease, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxCount);
        ArgumentException.ThrowIfNullOrEmpty(owner);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(lease, TimeSpan.Zero);
        var until = now + lease;
        List<ScheduledStep> claimed;
        if (_context.Database.ProviderName == NpgsqlProvider)
        {
            var sql = Sql;
            claimed = await Steps.FromSqlRaw(
                    sql.ClaimDue,
                    Parameter("now", now.UtcTicks),
                    Parameter("until", until.UtcTicks),
                    Parameter("owner", owner),
                    Parameter("max", maxCount))
                .AsNoTracking()
                .ToListAsync(cancellationToken).ConfigureAwait(false);
        }
        else
        {
            claimed = await InWriteTransactionAsync(
                ct => ClaimOptimisticallyAsync(now, maxCount, owner, until, ct), cancellationToken).ConfigureAwait(false);
        }

        if (claimed.Count > 0)
        {
            Log.Claimed(_logger, owner, claimed.Count, until);
        }

        return claimed;
    }

    /// <inheritdoc />
    public async Task<ScheduledStep?> ClaimByIdAsync(Guid id, DateTimeOffset now, string owner, TimeSpan lease, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(owner);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(lease, TimeSpan.Zero);
        var until = now + lease;
        if (_context.Database.ProviderName == NpgsqlProvider)
        {
            var rows = await Steps.FromSqlRaw(
                    Sql.ClaimById,
                    Parameter("id", id),
                    Parameter("now", now.UtcTicks),
                    Parameter("until", until.UtcTicks),
                    Parameter("owner", owner))
                .AsNoTracking()
                .ToListAsync(cancellationToken).ConfigureAwait(false);
            return rows.Count == 0 ? null : rows[0];
        }

        return await InWriteTransactionAsync(
            async ct =>
            {
                var step = await Steps.AsNoTracking()
                    .Where(s => s.Id == id && (s.State == StepState.Scheduled || s.State == StepState.Held) && s.AvailableAt <= now)
                    .FirstOrDefaultAsync(ct).ConfigureAwait(false);
                return step is not null && await LeaseAsync(step, now, owner, until, ct).ConfigureAwait(false) ? step : null;
            },
            cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    /// <remarks>
    /// Writes the state, reason, message id, priority, attempts, lease owner and every time of the step (all but
    /// its identity and trigger), sets the stored version to <c>expectedVersion + 1</c> and, on success, sets
    /// <see cref="ScheduledStep.Version"/> of <paramref name="step"/> to it.
    /// </remarks>
    public async Task<bool> TryUpdateAsync(ScheduledStep step, int expectedVersion, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(step);
        if (!await UpdateOneAsync(step, expectedVersion, cancellationToken).ConfigureAwait(false))
        {
            Log.StepMovedOn(_logger, step.Id, expectedVersion);
            return false;
        }

        step.Version = expectedVersion + 1;
        return true;
    }

    /// <inheritdoc />
    /// <remarks>
    /// On PostgreSQL one statement per 500 steps (<c>UPDATE … FROM (VALUES …) RETURNING</c>), in one transaction when
    /// there is more than one statement; on other databases one UPDATE per step inside one transaction. All or nothing either
    /// way. Sets <see cref="ScheduledStep.Version"/> of each written step, as <see cref="TryUpdateAsync"/> does.
    /// On PostgreSQL the context's connection stays open after the first group write until the context is disposed,
    /// and statements of up to 32 rows are prepared on it unless
    /// <see cref="LoyaltyEntityFrameworkCoreOptions.PrepareStatements"/> is false: the dispatcher writes its groups
    /// through one long-lived scope.
    /// </remarks>
    public async Task<IReadOnlyList<bool>> TryUpdateManyAsync(IReadOnlyList<StepUpdate> updates, CancellationToken cancellationToken)
    {
        StoreKeys.CheckStepUpdates(updates, nameof(updates));
        if (updates.Count == 0)
        {
            return [];
        }

        var postgres = _context.Database.ProviderName == NpgsqlProvider;
        if (updates.Count == 1 && !postgres)
        {
            return [await TryUpdateAsync(updates[0].Step, updates[0].ExpectedVersion, cancellationToken).ConfigureAwait(false)];
        }

        var results = postgres && updates.Count <= RowsPerStatement
            ? await UpdateManyInOneStatementAsync(updates, cancellationToken).ConfigureAwait(false) // one statement is atomic by itself
            : await InTransactionAsync(ct => postgres ? UpdateManyInOneStatementAsync(updates, ct) : UpdateOneByOneAsync(updates, ct), cancellationToken).ConfigureAwait(false);
        for (var i = 0; i < updates.Count; i++)
        {
            var (step, expected) = updates[i];
            if (results[i])
            {
                step.Version = expected + 1;
            }
            else
            {
                Log.StepMovedOn(_logger, step.Id, expected);
            }
        }

        return results;
    }

    // The multi-row statement; a row it wrote comes back with its new version, which tells two updates of one step apart.
    // The connection stays open for the rest of the context's life (the dispatcher writes its groups of results through
    // one long-lived scope): a pooled connection rented again for every group costs PostgreSQL a reset (DISCARD ALL),
    // and a statement prepared on the connection is then parsed and planned once, not for every group.
    private async Task<bool[]> UpdateManyInOneStatementAsync(IReadOnlyList<StepUpdate> updates, CancellationToken cancellationToken)
    {
        var update = CompiledQueries.For(_context, UpdateSqlKey, StepUpdateSql.For);
        var results = new bool[updates.Count];
        var connection = _context.Database.GetDbConnection();
        if (connection.State != ConnectionState.Open)
        {
            await _context.Database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        }

        for (var start = 0; start < updates.Count; start += RowsPerStatement)
        {
            var chunk = updates.Skip(start).Take(RowsPerStatement).ToList();
            var written = new HashSet<(Guid, int)>();
            await using (var command = connection.CreateCommand())
            {
                command.CommandText = update.Many(chunk.Count).Sql;
                command.Transaction = _context.Database.CurrentTransaction?.GetDbTransaction();
                command.Parameters.AddRange(update.CreateManyParameters(command, chunk));
                if (_prepare && chunk.Count <= MaxPreparedRows)
                {
                    await command.PrepareAsync(cancellationToken).ConfigureAwait(false);
                }

                await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    written.Add((reader.GetGuid(0), reader.GetInt32(1)));
                }
            }

            for (var i = 0; i < chunk.Count; i++)
            {
                results[start + i] = written.Contains((chunk[i].Step.Id, chunk[i].ExpectedVersion + 1));
            }
        }

        return results;
    }

    private async Task<bool[]> UpdateOneByOneAsync(IReadOnlyList<StepUpdate> updates, CancellationToken cancellationToken)
    {
        var results = new bool[updates.Count];
        for (var i = 0; i < updates.Count; i++)
        {
            results[i] = await UpdateOneAsync(updates[i].Step, updates[i].ExpectedVersion, cancellationToken).ConfigureAwait(false);
        }

        return results;
    }

    // The guarded UPDATE of one step (through EF, so the shop's interceptors see it); true when a row was written.
    private async Task<bool> UpdateOneAsync(ScheduledStep step, int expectedVersion, CancellationToken cancellationToken)
    {
        var update = CompiledQueries.For(_context, UpdateSqlKey, StepUpdateSql.For);
        using var command = _context.Database.GetDbConnection().CreateCommand();
        var parameters = update.CreateParameters(command, step, expectedVersion, expectedVersion + 1);
        return await _context.Database.ExecuteSqlRawAsync(update.Sql, parameters, cancellationToken).ConfigureAwait(false) > 0;
    }

    /// <inheritdoc />
    public Task<ScheduledStep?> FindAsync(Guid id, CancellationToken cancellationToken) =>
        Steps.AsNoTracking().FirstOrDefaultAsync(s => s.Id == id, cancellationToken);

    /// <inheritdoc />
    public async Task<IReadOnlyList<ScheduledStep>> QueryAsync(StepQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        var steps = Steps.AsNoTracking();
        if (query.CustomerId is { } customerId)
        {
            steps = steps.Where(s => s.CustomerId == customerId);
        }

        if (query.FlowId is { } flowId)
        {
            steps = steps.Where(s => s.FlowId == flowId);
        }

        if (query.State is { } state)
        {
            steps = steps.Where(s => s.State == state);
        }

        if (query.CompletedSince is { } since)
        {
            steps = steps.Where(s => s.State == StepState.Sent && s.CompletedAt >= since);
        }

        return await steps
            .OrderByDescending(s => s.DueAt).ThenBy(s => s.Id)
            .Take(query.Take)
            .ToListAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task<List<ScheduledStep>> ClaimOptimisticallyAsync(DateTimeOffset now, int maxCount, string owner, DateTimeOffset until, CancellationToken cancellationToken)
    {
        var candidates = await Steps.AsNoTracking()
            .Where(s => (s.State == StepState.Scheduled || s.State == StepState.Held) && s.AvailableAt <= now)
            .OrderBy(s => s.AvailableAt).ThenBy(s => s.Id)
            .Take(maxCount)
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        var claimed = new List<ScheduledStep>(candidates.Count);
        foreach (var step in candidates)
        {
            if (await LeaseAsync(step, now, owner, until, cancellationToken).ConfigureAwait(false))
            {
                claimed.Add(step);
            }
        }

        return claimed;
    }

    // Leases one picked row unless another worker moved it on since it was read.
    private async Task<bool> LeaseAsync(ScheduledStep step, DateTimeOffset now, string owner, DateTimeOffset until, CancellationToken cancellationToken)
    {
        var id = step.Id;
        var version = step.Version;
        var next = version + 1;
        var attempts = step.Attempts + 1;
        var rows = await Steps
            .Where(s => s.Id == id && s.Version == version)
            .ExecuteUpdateAsync(
                s => s.SetProperty(x => x.LeaseOwner, owner)
                    .SetProperty(x => x.AvailableAt, until)
                    .SetProperty(x => x.Version, next)
                    .SetProperty(x => x.Attempts, attempts)
                    .SetProperty(x => x.UpdatedAt, now),
                cancellationToken).ConfigureAwait(false);
        if (rows == 0)
        {
            return false;
        }

        step.LeaseOwner = owner;
        step.AvailableAt = until;
        step.Version = next;
        step.Attempts = attempts;
        step.UpdatedAt = now;
        return true;
    }

    // Several writes as one: in the caller's transaction when there is one, otherwise in one of their own (on SQLite the
    // serializable one its other writes take), run again as a whole by a retrying execution strategy.
    private async Task<T> InTransactionAsync<T>(Func<CancellationToken, Task<T>> work, CancellationToken cancellationToken)
    {
        if (_context.Database.ProviderName == SqliteProvider || _context.Database.CurrentTransaction is not null)
        {
            return await InWriteTransactionAsync(work, cancellationToken).ConfigureAwait(false);
        }

        var strategy = _context.Database.CreateExecutionStrategy();
        return await strategy.ExecuteAsync(
            (Context: _context, Work: work),
            async (_, state, ct) =>
            {
                await using var transaction = await state.Context.Database.BeginTransactionAsync(ct).ConfigureAwait(false);
                var result = await state.Work(ct).ConfigureAwait(false);
                await transaction.CommitAsync(ct).ConfigureAwait(false);
                return result;
            },
            verifySucceeded: null,
            cancellationToken).ConfigureAwait(false);
    }

    // SQLite allows one writer: taking the write lock first (BEGIN IMMEDIATE) makes the pick and the lease one
    // step instead of a race that ends in "database is locked". Inside a transaction of the shop, that one is used.
    private async Task<T> InWriteTransactionAsync<T>(Func<CancellationToken, Task<T>> work, CancellationToken cancellationToken)
    {
        if (_context.Database.ProviderName != SqliteProvider || _context.Database.CurrentTransaction is not null)
        {
            return await work(cancellationToken).ConfigureAwait(false);
        }

        var strategy = _context.Database.CreateExecutionStrategy();
        return await strategy.ExecuteAsync(
            (Context: _context, Work: work),
            async (_, state, ct) =>
            {
                await using var transaction = await state.Context.Database.BeginTransactionAsync(IsolationLevel.Serializable, ct).ConfigureAwait(false);
                var result = await state.Work(ct).ConfigureAwait(false);
                await transaction.CommitAsync(ct).ConfigureAwait(false);
                return result;
            },
            verifySucceeded: null,
            cancellationToken).ConfigureAwait(false);
    }

    private DbParameter Parameter(string name, object value)
    {
        // Created by the context's own connection, so the store needs no reference to a provider's ADO.NET types.
        using var command = _context.Database.GetDbConnection().CreateCommand();
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value;
        return parameter;
    }

    // Built once per model (it was once per store instance, that is per scope and claim).
    private StepSql Sql => CompiledQueries.For(_context, ClaimSqlKey, StepSql.For);
}
