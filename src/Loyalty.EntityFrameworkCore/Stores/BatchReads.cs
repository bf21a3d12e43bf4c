namespace Loyalty.EntityFrameworkCore.Stores;

/// <summary>The size of the statements of the stores' batch reads, and the grouping they share.</summary>
internal static class BatchReads
{
    /// <summary>
    /// The most keys one <c>IN</c> statement carries: with EF's padding of the list still under the parameter limits
    /// of SQL Server (2,100) and of older SQLite builds (999), and large enough that a dispatch batch is one statement.
    /// </summary>
    public const int MaxKeysPerStatement = 500;

    /// <summary>
    /// The rows of each of <paramref name="keys"/> (distinct, checked), read <see cref="MaxKeysPerStatement"/> keys a
    /// statement by <paramref name="read"/> in the order it returns them: every key has an entry, empty when it has no
    /// rows. A row whose key is spelled otherwise than asked for (a database comparing text case-insensitively) is
    /// left out, as the single read by that key would not return it either.
    /// </summary>
    public static async Task<IReadOnlyDictionary<string, IReadOnlyList<T>>> ListsByKeyAsync<T>(
        IReadOnlyList<string> keys, Func<string[], CancellationToken, Task<List<T>>> read, Func<T, string> keyOf, CancellationToken cancellationToken)
    {
        var byKey = new Dictionary<string, List<T>>(keys.Count, StringComparer.Ordinal);
        foreach (var key in keys)
        {
            byKey[key] = [];
        }

        foreach (var chunk in keys.Chunk(MaxKeysPerStatement))
        {
            foreach (var row in await read(chunk, cancellationToken).ConfigureAwait(false))
            {
                if (byKey.TryGetValue(keyOf(row), out var list))
                {
                    list.Add(row);
                }
            }
        }

        return byKey.ToDictionary(p => p.Key, p => (IReadOnlyList<T>)p.Value, StringComparer.Ordinal);
    }
}
