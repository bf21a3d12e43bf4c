using Loyalty.EntityFrameworkCore.Stores;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;

namespace Loyalty.EntityFrameworkCore.Referrals;

/// <summary>The writes and counts the referral stores share.</summary>
internal static class ReferralWrites
{
    /// <summary>How often a write that lost a race to another writer is checked and tried again.</summary>
    public const int MaxAttempts = 3;

    /// <summary>
    /// Saves <paramref name="entity"/> (already a copy) as a new row or, with <paramref name="modified"/>, as an update
    /// of the stored one; leaves nothing tracked. Throws the <see cref="DbUpdateException"/> of a lost race.
    /// </summary>
    public static async Task SaveAsync<T>(DbContext context, T entity, bool modified, Action<EntityEntry<T>>? configure, CancellationToken cancellationToken)
        where T : class
    {
        var staged = new StagedEntities(context);
        try
        {
            var entry = modified ? staged.Attach(entity) : staged.Add(entity);
            if (modified)
            {
                entry.State = EntityState.Modified;
            }

            configure?.Invoke(entry);
            await context.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            staged.DetachAll();
        }
    }

    /// <summary>Counts rows by network in the database; an unknown (null) network counts under <c>""</c>.</summary>
    public static async Task<IReadOnlyDictionary<string, int>> CountByNetworkAsync(IQueryable<string?> networks, CancellationToken cancellationToken)
    {
        var groups = await networks
            .GroupBy(n => n)
            .Select(g => new { Network = g.Key, Count = g.Count() })
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        var result = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var group in groups)
        {
            var key = group.Network ?? "";
            result[key] = result.GetValueOrDefault(key) + group.Count;
        }

        return result;
    }
}
