using Loyalty.Stores;
using Microsoft.EntityFrameworkCore;

namespace Loyalty.EntityFrameworkCore.Stores;

/// <summary>Customers and their orders, in <typeparamref name="TContext"/>. Reads do not track.</summary>
/// <typeparam name="TContext">A context whose model called <c>modelBuilder.AddLoyalty()</c>.</typeparam>
public sealed class CustomerStore<TContext> : ICustomerStore
    where TContext : DbContext
{
    private readonly TContext _context;

    /// <summary>Creates the store over <paramref name="context"/>.</summary>
    public CustomerStore(TContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        _context = context;
    }

    /// <inheritdoc />
    public Task<LoyaltyCustomer?> FindByIdAsync(string customerId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(customerId);
        return _context.Set<LoyaltyCustomer>().AsNoTracking()
            .FirstOrDefaultAsync(c => c.CustomerId == customerId, cancellationToken);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<CustomerOrder>> GetOrdersAsync(string customerId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(customerId);
        return await _context.Set<CustomerOrder>().AsNoTracking()
            .Where(o => o.CustomerId == customerId)
            .OrderBy(o => o.PlacedAt).ThenBy(o => o.OrderId)
            .ToListAsync(cancellationToken).ConfigureAwait(false);
    }
}
