namespace Loyalty.EntityFrameworkCore.Tests.Infrastructure;

/// <summary>A temporary SQLite database file, deleted afterwards. Used as a class fixture: one file per test class.</summary>
public sealed class SqliteDatabase : IDisposable
{
    private readonly string _path = Path.Combine(Path.GetTempPath(), "loyalty-test-" + Guid.NewGuid().ToString("N") + ".db");

    // No pooling: a pooled connection would keep the file open after the tests.
    public string ConnectionString => $"Data Source={_path};Pooling=False;Default Timeout=60";

    public void Dispose()
    {
        foreach (var suffix in new[] { "", "-wal", "-shm", "-journal" })
        {
            File.Delete(_path + suffix);
        }
    }
}
