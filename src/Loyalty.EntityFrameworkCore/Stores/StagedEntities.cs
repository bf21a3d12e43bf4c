using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;

namespace Loyalty.EntityFrameworkCore.Stores;

/// <summary>
/// The entities one store call put into the change tracker: after the store saved them, or gave up, they are
/// detached again, so the shop's next <c>SaveChanges</c> neither repeats nor trips over them.
/// </summary>
/// <param name="context">The context the entities go into.</param>
/// <param name="keysUnique">
/// True when the caller stages each key at most once: the entities the context tracked before are then indexed by key
/// once per entity type, instead of scanned (after a DetectChanges) for every entity staged, which made a batch of a
/// few hundred entities quadratic.
/// </param>
internal sealed class StagedEntities(DbContext context, bool keysUnique = false)
{
    private readonly List<EntityEntry> _entries = [];
    private readonly Dictionary<Type, Dictionary<string, EntityEntry>> _trackedByKey = [];

    public EntityEntry<T> Add<T>(T entity)
        where T : class
    {
        DetachTrackedWithSameKey(entity);
        var entry = context.Add(entity);
        _entries.Add(entry);
        return entry;
    }

    public EntityEntry<T> Attach<T>(T entity)
        where T : class
    {
        DetachTrackedWithSameKey(entity);
        var entry = context.Attach(entity);
        _entries.Add(entry);
        return entry;
    }

    public void DetachAll()
    {
        foreach (var entry in _entries)
        {
            entry.State = EntityState.Detached;
        }

        _entries.Clear();
    }

    // A shop that read one of Loyalty's rows with tracking would otherwise make Attach/Add throw.
    private void DetachTrackedWithSameKey<T>(T entity)
        where T : class
    {
        var entityType = context.Model.FindEntityType(typeof(T))
            ?? throw new InvalidOperationException($"{typeof(T).Name} is not in the model of {context.GetType().Name}: call modelBuilder.AddLoyalty() in its OnModelCreating.");
        var key = entityType.FindPrimaryKey()!.Properties;
        if (keysUnique)
        {
            if (!_trackedByKey.TryGetValue(typeof(T), out var byKey))
            {
                byKey = new Dictionary<string, EntityEntry>(StringComparer.Ordinal);
                foreach (var tracked in context.ChangeTracker.Entries<T>())
                {
                    byKey[KeyOf(key, tracked.Entity)] = tracked;
                }

                _trackedByKey[typeof(T)] = byKey;
            }

            // The usual case (the context tracks none of these rows): no key string built per staged entity.
            if (byKey.Count > 0 && byKey.Remove(KeyOf(key, entity), out var same))
            {
                same.State = EntityState.Detached;
            }

            return;
        }

        foreach (var tracked in context.ChangeTracker.Entries<T>().ToList())
        {
            if (key.All(p => Equals(p.PropertyInfo!.GetValue(tracked.Entity), p.PropertyInfo!.GetValue(entity))))
            {
                tracked.State = EntityState.Detached;
            }
        }
    }

    private static string KeyOf(IReadOnlyList<Microsoft.EntityFrameworkCore.Metadata.IProperty> key, object entity)
        => string.Join('\u001f', key.Select(p => Convert.ToString(p.PropertyInfo!.GetValue(entity), System.Globalization.CultureInfo.InvariantCulture)));
}
