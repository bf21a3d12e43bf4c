using Loyalty.Stores;
using Microsoft.EntityFrameworkCore;

namespace Loyalty.EntityFrameworkCore.Referrals;

/// <summary>
/// Fingerprints of shipping addresses and payment instruments in <typeparamref name="TContext"/>, keyed by
/// (kind, value, customer) so a look-up by fingerprint reads the key's prefix. Reads do not track; writes are saved at once.
/// </summary>
/// <typeparam name="TContext">A context whose model called <c>modelBuilder.AddLoyalty()</c>.</typeparam>
public sealed class CustomerFingerprintStore<TContext> : ICustomerFingerprintStore
    where TContext : DbContext
{
    private readonly TContext _context;

    /// <summary>Creates the store over <paramref name="context"/>.</summary>
    public CustomerFingerprintStore(TContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        _context = context;
    }

    private DbSet<CustomerFingerprint> Fingerprints => _context.Set<CustomerFingerprint>();

    /// <inheritdoc />
    /// <remarks>The first sighting is kept: recording a fingerprint again, or racing another writer that records it, changes nothing.</remarks>
    public async Task AddAsync(CustomerFingerprint fingerprint, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(fingerprint);
        if (await ExistsAsync(fingerprint, cancellationToken).ConfigureAwait(false))
        {
            return;
        }

        try
        {
            await ReferralWrites.SaveAsync(_context, fingerprint.Copy(), modified: false, configure: null, cancellationToken).ConfigureAwait(false);
        }
        catch (DbUpdateException)
        {
            // Another writer recorded the same fingerprint since the check: that is the outcome asked for.
            if (!await ExistsAsync(fingerprint, cancellationToken).ConfigureAwait(false))
            {
                throw;
            }
        }
    }

    /// <inheritdoc />
    public async Task<IReadOnlyCollection<string>> FindCustomersAsync(string kind, string value, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(kind);
        ArgumentNullException.ThrowIfNull(value);
        var customers = await Fingerprints.AsNoTracking()
            .Where(f => f.Kind == kind && f.Value == value)
            .Select(f => f.CustomerId)
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        return customers.ToHashSet(StringComparer.Ordinal);
    }

    private Task<bool> ExistsAsync(CustomerFingerprint f, CancellationToken cancellationToken)
    {
        var (kind, value, customerId) = (f.Kind, f.Value, f.CustomerId);
        return Fingerprints.AsNoTracking().AnyAsync(x => x.Kind == kind && x.Value == value && x.CustomerId == customerId, cancellationToken);
    }
}
