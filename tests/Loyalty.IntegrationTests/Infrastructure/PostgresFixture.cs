using System.Text;
using Npgsql;
using Xunit;

namespace Loyalty.IntegrationTests.Infrastructure;

/// <summary>
/// The throwaway PostgreSQL started by scripts/test.sh (LOYALTY_TEST_POSTGRES). Each test or test
/// class creates its own database with <see cref="CreateDatabaseAsync"/>; they are all dropped on disposal.
/// </summary>
public sealed class PostgresFixture : IAsyncLifetime
{
    public const string EnvironmentVariable = "LOYALTY_TEST_POSTGRES";

    private readonly object _lock = new();
    private readonly List<string> _createdDatabases = [];
    private string? _adminConnectionString;

    /// <summary>The connection string from LOYALTY_TEST_POSTGRES (database "postgres").</summary>
    public string AdminConnectionString =>
        _adminConnectionString ?? throw new InvalidOperationException("The PostgreSQL fixture has not been initialized.");

    public async Task InitializeAsync()
    {
        var connectionString = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            throw new InvalidOperationException(
                "LOYALTY_TEST_POSTGRES is not set: run the tests through `bash scripts/test.sh`, which starts a throwaway PostgreSQL");
        }

        _adminConnectionString = connectionString;

        // Fail here, once and clearly, rather than in every test.
        try
        {
            await using var connection = new NpgsqlConnection(connectionString);
            await connection.OpenAsync().ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException)
        {
            throw new InvalidOperationException(
                $"Cannot connect to the PostgreSQL in {EnvironmentVariable} ({Describe(connectionString)}): {ex.Message}", ex);
        }
    }

    /// <summary>Creates an empty database named prefix + short guid (lowercase) and returns its connection string.</summary>
    public async Task<string> CreateDatabaseAsync(string prefix)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        var name = MakeName(prefix);
        await using (var connection = new NpgsqlConnection(AdminConnectionString))
        {
            await connection.OpenAsync().ConfigureAwait(false);
            await using var command = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
            await command.ExecuteNonQueryAsync().ConfigureAwait(false);
        }

        lock (_lock)
        {
            _createdDatabases.Add(name);
        }

        return new NpgsqlConnectionStringBuilder(AdminConnectionString) { Database = name }.ConnectionString;
    }

    public async Task DisposeAsync()
    {
        if (_adminConnectionString is null)
        {
            return;
        }

        string[] names;
        lock (_lock)
        {
            names = [.. _createdDatabases];
            _createdDatabases.Clear();
        }

        if (names.Length == 0)
        {
            return;
        }

        await using var connection = new NpgsqlConnection(_adminConnectionString);
        await connection.OpenAsync().ConfigureAwait(false);
        foreach (var name in names)
        {
            // Idle pooled connections to the database would only be broken by the drop: close them first.
            using (var pooled = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(_adminConnectionString) { Database = name }.ConnectionString))
            {
                NpgsqlConnection.ClearPool(pooled);
            }

            await using var command = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)", connection);
            await command.ExecuteNonQueryAsync().ConfigureAwait(false);
        }
    }

    private static string MakeName(string prefix)
    {
        var builder = new StringBuilder();
        foreach (var c in prefix.ToLowerInvariant())
        {
            builder.Append(c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '_' ? c : '_');
        }

        if (builder.Length == 0 || char.IsDigit(builder[0]))
        {
            builder.Insert(0, "db_");
        }

        const int maxPrefix = 63 - 1 - 12; // PostgreSQL identifiers are at most 63 bytes.
        if (builder.Length > maxPrefix)
        {
            builder.Length = maxPrefix;
        }

        if (builder[^1] != '_')
        {
            builder.Append('_');
        }

        builder.Append(Guid.NewGuid().ToString("N").AsSpan(0, 12));
        return builder.ToString();
    }

    private static string Describe(string connectionString)
    {
        try
        {
            var builder = new NpgsqlConnectionStringBuilder(connectionString);
            return $"Host={builder.Host};Port={builder.Port};Username={builder.Username};Database={builder.Database}";
        }
        catch (ArgumentException)
        {
            return "unparsable connection string";
        }
    }
}

[CollectionDefinition("postgres")]
public sealed class PostgresCollection : ICollectionFixture<PostgresFixture>
{
}
