using System.Data.Common;
using System.Globalization;
using System.Text;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Loyalty.Throughput;

/// <summary>The two stores the harness measures.</summary>
public enum Provider
{
    /// <summary>A SQLite file in a temp folder.</summary>
    Sqlite,
    /// <summary>A fresh database on the throwaway PostgreSQL cluster.</summary>
    PostgreSql,
}

/// <summary>A throwaway database for one measurement, with the few raw-SQL helpers the harness needs (seeding, counting).</summary>
public sealed class BenchDatabase : IAsyncDisposable
{
    private readonly string? _adminConnectionString;
    private readonly string? _databaseName;
    private readonly string? _file;

    private BenchDatabase(Provider provider, string connectionString, string? admin, string? name, string? file)
    {
        Provider = provider;
        ConnectionString = connectionString;
        _adminConnectionString = admin;
        _databaseName = name;
        _file = file;
    }

    public Provider Provider { get; }

    public string ConnectionString { get; }

    public static async Task<BenchDatabase> CreateAsync(Provider provider, string label, HarnessOptions options)
    {
        var name = $"bench_{label}_{Guid.NewGuid():N}"[..40];
        if (provider == Provider.Sqlite)
        {
            var file = Path.Combine(options.WorkDirectory, name + ".db");
            return new BenchDatabase(provider, $"Data Source={file}", null, null, file);
        }

        var admin = options.PostgresConnectionString ?? throw new InvalidOperationException("--pg <connection string> is required for PostgreSQL stages");
        await using (var connection = new NpgsqlConnection(admin))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand($"CREATE DATABASE {name}", connection);
            await command.ExecuteNonQueryAsync();
        }

        var builder = new NpgsqlConnectionStringBuilder(admin) { Database = name, MaxPoolSize = 50 };
        return new BenchDatabase(provider, builder.ConnectionString, admin, name, null);
    }

    public DbConnection CreateConnection() => Provider == Provider.Sqlite ? new SqliteConnection(ConnectionString) : new NpgsqlConnection(ConnectionString);

    public async Task<long> ScalarAsync(string sql)
    {
        await using var connection = CreateConnection();
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.CommandTimeout = 600;
        return Convert.ToInt64(await command.ExecuteScalarAsync(), CultureInfo.InvariantCulture);
    }

    public async Task ExecuteAsync(string sql)
    {
        await using var connection = CreateConnection();
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.CommandTimeout = 1800;
        await command.ExecuteNonQueryAsync();
    }

    public async Task<List<string>> ColumnsAsync(string table)
    {
        var sql = Provider == Provider.Sqlite
            ? $"SELECT name FROM pragma_table_info('{table}') ORDER BY cid"
            : $"SELECT column_name FROM information_schema.columns WHERE table_name = '{table}' ORDER BY ordinal_position";
        var result = new List<string>();
        await using var connection = CreateConnection();
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            result.Add(reader.GetString(0));
        }

        return result;
    }

    /// <summary>
    /// Bulk seeding in one SQL statement, not through the library: copies the row(s) of <paramref name="table"/> that
    /// match <paramref name="where"/> <paramref name="count"/> times, with the given columns replaced by SQL expressions
    /// of the copy number <c>g</c> (1..count).
    /// </summary>
    public async Task ReplicateAsync(string table, string where, IReadOnlyDictionary<string, string> replace, int count)
    {
        var columns = await ColumnsAsync(table);
        var list = string.Join(", ", columns);
        var select = string.Join(", ", columns.Select(c => replace.TryGetValue(c, out var expr) ? expr : "src." + c));
        var sql = Provider == Provider.Sqlite
            ? $"WITH RECURSIVE s(g) AS (SELECT 1 UNION ALL SELECT g + 1 FROM s WHERE g < {count}) INSERT INTO {table} ({list}) SELECT {select} FROM {table} AS src, s WHERE {where}"
            : $"INSERT INTO {table} ({list}) SELECT {select} FROM {table} AS src, generate_series(1, {count}) AS s(g) WHERE {where}";
        await ExecuteAsync(sql);
        if (Provider == Provider.PostgreSql)
        {
            await ExecuteAsync($"ANALYZE {table}");
        }
    }

    /// <summary>A GUID text/uuid unique per copy number g, in the form the provider stores.</summary>
    public string GuidExpression(int salt) => Provider == Provider.Sqlite
        ? $"printf('%08X-{salt:X4}-4000-8000-%012X', g, g)"
        : $"(lpad(to_hex(g), 8, '0') || '-{salt:x4}-4000-8000-' || lpad(to_hex(g), 12, '0'))::uuid";

    public string Text(string prefix, string suffix = "") => $"('{prefix}' || g{(suffix.Length > 0 ? $" || '{suffix}'" : string.Empty)})";

    public async ValueTask DisposeAsync()
    {
        if (Provider == Provider.Sqlite)
        {
            SqliteConnection.ClearAllPools();
            foreach (var f in new[] { _file!, _file + "-wal", _file + "-shm" })
            {
                File.Delete(f);
            }

            return;
        }

        NpgsqlConnection.ClearAllPools();
        await using var connection = new NpgsqlConnection(_adminConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"DROP DATABASE IF EXISTS {_databaseName} WITH (FORCE)", connection);
        try
        {
            await command.ExecuteNonQueryAsync();
        }
        catch (PostgresException ex)
        {
            // E.g. an autovacuum worker of another role is still attached; the cluster is throwaway, so leave it.
            Console.Error.WriteLine($"note: could not drop {_databaseName}: {ex.MessageText}");
        }
    }

    /// <summary>Multi-row INSERT (or upsert) of rows read back from the database; one statement per call.</summary>
    public static void BuildInsert(DbCommand command, string table, IReadOnlyList<string> columns, IReadOnlyList<object?[]> rows, string? upsertKey)
    {
        var sql = new StringBuilder($"INSERT INTO {table} ({string.Join(", ", columns)}) VALUES ");
        var p = 0;
        for (var r = 0; r < rows.Count; r++)
        {
            sql.Append(r == 0 ? "(" : ", (");
            for (var c = 0; c < columns.Count; c++)
            {
                var name = "@p" + p.ToString(CultureInfo.InvariantCulture);
                p++;
                sql.Append(c == 0 ? name : ", " + name);
                var parameter = command.CreateParameter();
                parameter.ParameterName = name;
                parameter.Value = rows[r][c] ?? DBNull.Value;
                command.Parameters.Add(parameter);
            }

            sql.Append(')');
        }

        if (upsertKey is not null)
        {
            sql.Append($" ON CONFLICT ({upsertKey}) DO UPDATE SET ");
            sql.Append(string.Join(", ", columns.Where(c => c != upsertKey).Select(c => $"{c} = excluded.{c}")));
        }

        command.CommandText = sql.ToString();
    }
}
