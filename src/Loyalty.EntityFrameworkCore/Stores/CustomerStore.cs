using Loyalty.Stores;
using Microsoft.EntityFrameworkCore;

namespace Loyalty.EntityFrameworkCore.Stores;

/// <summary>Customers and their orders, in <typeparamref name="TContext"/>. Reads do not track.</summary>
/// <remarks>
/// The single reads are compiled queries kept with the model (the dispatch and intake call them per step or event,
/// and EF's lookup of a query in its cache cost more than running it); the batch reads send one <c>IN</c> statement
/// per 500 ids.
/// </remarks>
/// <typeparam name="TContext">A context whose model called <c>modelBuilder.AddLoyalty()</c>.</typeparam>
public sealed class CustomerStore<TContext> : ICustomerStore
    where TContext : DbContext
{
    private static readonly string QueriesKey = "Loyalty:CustomerStore:" + typeof(TContext).FullName;

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
        return Queries.FindById(_context, customerId, cancellationToken);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<CustomerOrder>> GetOrdersAsync(string customerId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(customerId);
        var orders = new List<CustomerOrder>();
        await foreach (var order in Queries.OrdersOf(_context, customerId).WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            orders.Add(order);
        }

        return orders;
    }

    /// <inheritdoc />
    public async Task<IReadOnlyDictionary<string, LoyaltyCustomer>> FindByIdsAsync(IReadOnlyCollection<string> customerIds, CancellationToken cancellationToken)
    {
        var ids = StoreKeys.DistinctOrThrow(customerIds, nameof(customerIds));
        var found = new Dictionary<string, LoyaltyCustomer>(ids.Count, StringComparer.Ordinal);
        foreach (var chunk in ids.Chunk(BatchReads.MaxKeysPerStatement))
        {
            var customers = await _context.Set<LoyaltyCustomer>().AsNoTracking()
                .Where(c => chunk.Contains(c.CustomerId))
                .ToListAsync(cancellationToken).ConfigureAwait(false);
            foreach (var customer in customers)
            {
                found[customer.CustomerId] = customer;
            }
        }

        return found;
    }

    /// <inheritdoc />
    public async Task<IReadOnlyDictionary<string, IReadOnlyList<CustomerOrder>>> GetOrdersAsync(IReadOnlyCollection<string> customerIds, CancellationToken cancellationToken)
    {
        // Ordered in SQL as the single read is, so both give a customer's orders in the same order.
        return await BatchReads.ListsByKeyAsync(
            StoreKeys.DistinctOrThrow(customerIds, nameof(customerIds)),
            (chunk, ct) => _context.Set<CustomerOrder>().AsNoTracking()
                .Where(o => chunk.Contains(o.CustomerId))
                .OrderBy(o => o.PlacedAt).ThenBy(o => o.OrderId)
                .ToListAsync(ct),
            o => o.CustomerId,
            cancellationToken).ConfigureAwait(false);
    }

    private CompiledCustomerQueries Queries => CompiledQueries.For(_context, QueriesKey, static _ => new CompiledCustomerQueries());

    private sealed class CompiledCustomerQueries
    {
        public Func<TContext, string, CancellationToken, Task<LoyaltyCustomer?>> FindById { get; } =
            EF.CompileAsyncQuery((TContext context, string customerId, CancellationToken _) =>
                context.Set<LoyaltyCustomer>().AsNoTracking().FirstOrDefault(c => c.CustomerId == customerId));

        public Func<TContext, string, IAsyncEnumerable<CustomerOrder>> OrdersOf { get; } =
            EF.CompileAsyncQuery<TContext, string, CustomerOrder>((context, customerId) =>
                context.Set<CustomerOrder>().AsNoTracking()
                    .Where(o => o.CustomerId == customerId)
                    .OrderBy(o => o.PlacedAt).ThenBy(o => o.OrderId));
    }
}
