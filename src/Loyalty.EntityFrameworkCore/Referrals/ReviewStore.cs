using Loyalty.Stores;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Loyalty.EntityFrameworkCore.Referrals;

/// <summary>Review requests and product reviews in <typeparamref name="TContext"/>. Reads do not track; writes are saved at once.</summary>
/// <remarks>
/// A request's key is (customer, order) and a review's (customer, sku). An upsert reads whether the row exists and
/// inserts or updates it; when another writer inserted the same key in between, it is tried again as an update.
/// A request's products are stored as one JSON array.
/// </remarks>
/// <typeparam name="TContext">A context whose model called <c>modelBuilder.AddLoyalty()</c>.</typeparam>
public sealed class ReviewStore<TContext> : IReviewStore
    where TContext : DbContext
{
    private readonly TContext _context;
    private readonly ILogger _logger;

    /// <summary>Creates the store over <paramref name="context"/>.</summary>
    public ReviewStore(TContext context, ILogger<ReviewStore<TContext>>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(context);
        _context = context;
        _logger = logger ?? (ILogger)NullLogger.Instance;
    }

    private DbSet<ReviewRequest> Requests => _context.Set<ReviewRequest>();

    private DbSet<ProductReview> Reviews => _context.Set<ProductReview>();

    /// <inheritdoc />
    public async Task UpsertRequestAsync(ReviewRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var (customerId, orderId) = (request.CustomerId, request.OrderId);
        for (var attempt = 1; ; attempt++)
        {
            var exists = await Requests.AsNoTracking()
                .AnyAsync(r => r.CustomerId == customerId && r.OrderId == orderId, cancellationToken).ConfigureAwait(false);
            try
            {
                await ReferralWrites.SaveAsync(_context, request.Copy(), modified: exists, configure: null, cancellationToken).ConfigureAwait(false);
                return;
            }
            catch (DbUpdateException ex) when (attempt < ReferralWrites.MaxAttempts)
            {
                Log.ReferralWriteRace(_logger, "review request", customerId + "/" + orderId, attempt, ex);
            }
        }
    }

    /// <inheritdoc />
    public Task<ReviewRequest?> FindRequestAsync(string customerId, string orderId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(customerId);
        ArgumentNullException.ThrowIfNull(orderId);
        return Requests.AsNoTracking().FirstOrDefaultAsync(r => r.CustomerId == customerId && r.OrderId == orderId, cancellationToken);
    }

    /// <inheritdoc />
    public async Task UpsertReviewAsync(ProductReview review, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(review);
        var (customerId, sku) = (review.CustomerId, review.Sku);
        for (var attempt = 1; ; attempt++)
        {
            var exists = await Reviews.AsNoTracking()
                .AnyAsync(r => r.CustomerId == customerId && r.Sku == sku, cancellationToken).ConfigureAwait(false);
            try
            {
                await ReferralWrites.SaveAsync(_context, review.Copy(), modified: exists, configure: null, cancellationToken).ConfigureAwait(false);
                return;
            }
            catch (DbUpdateException ex) when (attempt < ReferralWrites.MaxAttempts)
            {
                Log.ReferralWriteRace(_logger, "product review", customerId + "/" + sku, attempt, ex);
            }
        }
    }

    /// <inheritdoc />
    public async Task<IReadOnlyCollection<string>> GetReviewedSkusAsync(string customerId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(customerId);
        var skus = await Reviews.AsNoTracking()
            .Where(r => r.CustomerId == customerId)
            .Select(r => r.Sku)
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        return skus.ToHashSet(StringComparer.Ordinal);
    }
}
