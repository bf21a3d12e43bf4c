using Loyalty.Stores;
using Microsoft.EntityFrameworkCore;

namespace Loyalty.EntityFrameworkCore.Stores;

/// <summary>The idempotency records of accepted events, in <typeparamref name="TContext"/>.</summary>
/// <typeparam name="TContext">A context whose model called <c>modelBuilder.AddLoyalty()</c>.</typeparam>
public sealed class ProcessedEventStore<TContext> : IProcessedEventStore
    where TContext : DbContext
{
    private readonly TContext _context;

    /// <summary>Creates the store over <paramref name="context"/>.</summary>
    public ProcessedEventStore(TContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        _context = context;
    }

    /// <inheritdoc />
    public Task<bool> IsProcessedAsync(string eventId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(eventId);
        return _context.Set<ProcessedEvent>().AsNoTracking().AnyAsync(e => e.EventId == eventId, cancellationToken);
    }
}
