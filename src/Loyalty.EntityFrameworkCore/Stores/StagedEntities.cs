using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;

namespace Loyalty.EntityFrameworkCore.Stores;

/// <summary>
/// The entities one store call put into the change tracker: after the store saved them, or gave up, they are
/// detached again, so the shop's next <c>SaveChanges</c> neither repeats nor trips over them.
/// </summary>
internal sealed class StagedEntities(DbContext context)
{
    private readonly List<EntityEntry> _entries = [];

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
        foreach (var tracked in context.ChangeTracker.Entries<T>().ToList())
        {
            if (key.All(p => Equals(p.PropertyInfo!.GetValue(tracked.Entity), p.PropertyInfo!.GetValue(entity))))
            {
                tracked.State = EntityState.Detached;
            }
        }
    }
}
