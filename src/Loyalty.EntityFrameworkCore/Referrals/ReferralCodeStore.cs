using Loyalty.Stores;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Loyalty.EntityFrameworkCore.Referrals;

/// <summary>Referral codes in <typeparamref name="TContext"/>. Reads do not track; writes are saved at once.</summary>
/// <remarks>
/// The code is the primary key, and a unique index on the owner of generated codes (null for vanity codes) keeps
/// one generated code per customer: when several processes add at once, the database decides, and the loser is
/// checked again and reported as <see cref="ReferralCodeAddResult.CodeTaken"/> or
/// <see cref="ReferralCodeAddResult.CustomerHasGeneratedCode"/>.
/// </remarks>
/// <typeparam name="TContext">A context whose model called <c>modelBuilder.AddLoyalty()</c>.</typeparam>
public sealed class ReferralCodeStore<TContext> : IReferralCodeStore
    where TContext : DbContext
{
    private readonly TContext _context;
    private readonly ILogger _logger;

    /// <summary>Creates the store over <paramref name="context"/>.</summary>
    public ReferralCodeStore(TContext context, ILogger<ReferralCodeStore<TContext>>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(context);
        _context = context;
        _logger = logger ?? (ILogger)NullLogger.Instance;
    }

    private DbSet<ReferralCode> Codes => _context.Set<ReferralCode>();

    /// <inheritdoc />
    public async Task<ReferralCodeAddResult> TryAddAsync(ReferralCode code, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(code);
        if (await FindConflictAsync(code, cancellationToken).ConfigureAwait(false) is { } conflict)
        {
            Log.CodeNotAdded(_logger, code.Code, conflict);
            return conflict;
        }

        try
        {
            await ReferralWrites.SaveAsync(
                _context,
                code.Copy(),
                modified: false,
                e => e.Property(ReferralModel.GeneratedFor).CurrentValue = code.IsVanity ? null : code.CustomerId,
                cancellationToken).ConfigureAwait(false);
            return ReferralCodeAddResult.Added;
        }
        catch (DbUpdateException ex)
        {
            // A concurrent writer took the code or made the customer's code first: the unique index refused this row
            // and the winner's row is now visible. Anything else (a lock timeout, a lost connection) is not a race
            // to answer, and trying again would only wait as long once more.
            if (await FindConflictAsync(code, cancellationToken).ConfigureAwait(false) is { } lost)
            {
                Log.ReferralWriteRace(_logger, "referral code", code.Code, 1, ex);
                return lost;
            }

            throw;
        }
    }

    /// <inheritdoc />
    public Task<ReferralCode?> FindByCodeAsync(string code, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(code);
        return Codes.AsNoTracking().FirstOrDefaultAsync(c => c.Code == code, cancellationToken);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<ReferralCode>> GetByCustomerAsync(string customerId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(customerId);
        return await Codes.AsNoTracking()
            .Where(c => c.CustomerId == customerId)
            .OrderBy(c => c.CreatedAt).ThenBy(c => c.Code)
            .ToListAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task<ReferralCodeAddResult?> FindConflictAsync(ReferralCode code, CancellationToken cancellationToken)
    {
        var value = code.Code;
        if (await Codes.AsNoTracking().AnyAsync(c => c.Code == value, cancellationToken).ConfigureAwait(false))
        {
            return ReferralCodeAddResult.CodeTaken;
        }

        if (!code.IsVanity)
        {
            var customerId = code.CustomerId;
            if (await Codes.AsNoTracking()
                    .AnyAsync(c => EF.Property<string?>(c, ReferralModel.GeneratedFor) == customerId, cancellationToken).ConfigureAwait(false))
            {
                return ReferralCodeAddResult.CustomerHasGeneratedCode;
            }
        }

        return null;
    }
}
