using Npgsql;

namespace Loyalty.EntityFrameworkCore.Tests.Infrastructure;

/// <summary>
/// A throwaway PostgreSQL database, created with a unique name on the server named by LOYALTY_TEST_POSTGRES and
/// dropped afterwards. Used as a class fixture: one database per test class.
/// </summary>
public sealed class PostgresDatabase : IAsyncLifetime
{
    public const string EnvironmentVariable = "LOYALTY_TEST_POSTGRES";

    private readonly string _serverConnectionString;

    public PostgresDatabase()
    {
        _serverConnectionString = Environment.GetEnvironmentVariable(EnvironmentVariable) is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException(
                $"{EnvironmentVariable} is not set: it names a throwaway PostgreSQL server (a user with CREATEDB). Run the tests with `bash scripts/test.sh`, which starts one.");
        Name = "loyalty_test_" + Guid.NewGuid().ToString("N");
        ConnectionString = new NpgsqlConnectionStringBuilder(_serverConnectionString) { Database = Name, Pooling = false }.ConnectionString;
    }

    public string Name { get; }

    public string ConnectionString { get; }

    public async Task InitializeAsync()
    {
        await using var connection = new NpgsqlConnection(_serverConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"CREATE DATABASE \"{Name}\"", connection);
        await command.ExecuteNonQueryAsync();
    }

    public async Task DisposeAsync()
    {
        await using var connection = new NpgsqlConnection(_serverConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{Name}\" WITH (FORCE)", connection);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await command.ExecuteNonQueryAsync();
                return;
            }
            catch (PostgresException ex) when (attempt < 10 && ex.SqlState is PostgresErrorCodes.InsufficientPrivilege or PostgresErrorCodes.ObjectInUse)
            {
                // An autovacuum worker analysing the seeded tables may still be in the database; it ends on its own
                // (scripts/test.sh also grants pg_signal_backend so the forced drop can end it).
                await Task.Delay(TimeSpan.FromMilliseconds(300));
            }
        }
    }
}
