using Loyalty.Stores;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Loyalty.EntityFrameworkCore.Stores;

/// <summary>Suppressed addresses in <typeparamref name="TContext"/>.</summary>
/// <remarks>
/// With <see cref="LoyaltyEntityFrameworkCoreOptions.AutoSaveChanges"/> true (default) additions and removals are
/// saved at once (inside the context's open transaction, if any); with false they wait in the change tracker for
/// the shop's <c>SaveChanges</c>.
/// </remarks>
/// <typeparam name="TContext">A context whose model called <c>modelBuilder.AddLoyalty()</c>.</typeparam>
public sealed class SuppressionStore<TContext> : ISuppressionStore
    where TContext : DbContext
{
    private readonly TContext _context;

    /// <summary>Creates the store over <paramref name="context"/>.</summary>
    public SuppressionStore(TContext context, IOptions<LoyaltyEntityFrameworkCoreOptions>? options = null)
    {
        ArgumentNullException.ThrowIfNull(context);
        _context = context;
        AutoSaveChanges = options?.Value.AutoSaveChanges ?? true;
    }

    /// <summary>Whether the store saves its changes; see <see cref="LoyaltyEntityFrameworkCoreOptions.AutoSaveChanges"/>.</summary>
    public bool AutoSaveChanges { get; set; }

    private static readonly string QueriesKey = "Loyalty:SuppressionStore:" + typeof(TContext).FullName;

    private DbSet<Suppression> Suppressions => _context.Set<Suppression>();

    /// <inheritdoc />
    public async Task<IReadOnlyList<Suppression>> GetAsync(string normalizedEmail, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(normalizedEmail);
        var suppressions = new List<Suppression>();
        await foreach (var suppression in Queries.SuppressionsOf(_context, normalizedEmail).WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            suppressions.Add(suppression);
        }

        return suppressions;
    }

    /// <inheritdoc />
    /// <remarks>One statement per <see cref="BatchReads.MaxKeysPerStatement"/> addresses, through the primary key.</remarks>
    public async Task<IReadOnlyDictionary<string, IReadOnlyList<Suppression>>> GetAsync(IReadOnlyCollection<string> normalizedEmails, CancellationToken cancellationToken)
    {
        // Ordered in SQL as the single read is, so both give an address's suppressions in the same order.
        return await BatchReads.ListsByKeyAsync(
            StoreKeys.DistinctOrThrow(normalizedEmails, nameof(normalizedEmails)),
            (chunk, ct) => Suppressions.AsNoTracking()
                .Where(s => chunk.Contains(s.NormalizedEmail))
                .OrderBy(s => s.Category)
                .ToListAsync(ct),
            s => s.NormalizedEmail,
            cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task AddAsync(Suppression suppression, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(suppression);
        if (await ExistsAsync(suppression.NormalizedEmail, suppression.Category, cancellationToken).ConfigureAwait(false))
        {
            return;
        }

        var staged = new StagedEntities(_context);
        staged.Add(suppression.Copy());
        if (!AutoSaveChanges)
        {
            return;
        }

        try
        {
            await _context.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (DbUpdateException)
        {
            staged.DetachAll();
            // Another writer added the same suppression since the check: that is the outcome asked for.
            if (!await ExistsAsync(suppression.NormalizedEmail, suppression.Category, cancellationToken).ConfigureAwait(false))
            {
                throw;
            }
        }
        finally
        {
            staged.DetachAll();
        }
    }

    /// <inheritdoc />
    public async Task RemoveAsync(string normalizedEmail, string category, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(normalizedEmail);
        ArgumentNullException.ThrowIfNull(category);
        if (AutoSaveChanges)
        {
            await Suppressions
                .Where(s => s.NormalizedEmail == normalizedEmail && s.Category == category)
                .ExecuteDeleteAsync(cancellationToken).ConfigureAwait(false);
            return;
        }

        var existing = await Suppressions.AsNoTracking()
            .FirstOrDefaultAsync(s => s.NormalizedEmail == normalizedEmail && s.Category == category, cancellationToken)
            .ConfigureAwait(false);
        if (existing is not null)
        {
            new StagedEntities(_context).Attach(existing).State = EntityState.Deleted;
        }
    }

    private CompiledSuppressionQueries Queries => CompiledQueries.For(_context, QueriesKey, static _ => new CompiledSuppressionQueries());

    private Task<bool> ExistsAsync(string normalizedEmail, string category, CancellationToken cancellationToken) =>
        Suppressions.AsNoTracking().AnyAsync(s => s.NormalizedEmail == normalizedEmail && s.Category == category, cancellationToken);

    // Compiled: the consent gate reads an address's suppressions before every send it checks alone.
    private sealed class CompiledSuppressionQueries
    {
        public Func<TContext, string, IAsyncEnumerable<Suppression>> SuppressionsOf { get; } =
            EF.CompileAsyncQuery<TContext, string, Suppression>((context, normalizedEmail) =>
                context.Set<Suppression>().AsNoTracking()
                    .Where(s => s.NormalizedEmail == normalizedEmail)
                    .OrderBy(s => s.Category));
    }
}
