using System.Collections.Concurrent;
using System.Data.Common;
using Loyalty.Stores;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;

namespace Loyalty.EntityFrameworkCore.Stores;

/// <summary>
/// The guarded transition of a step as one UPDATE statement, built once per model with its table, column and
/// parameter names and the type mappings of its parameters (so values go through the model's converters, as with
/// LINQ). The dispatch writes every step's result with it; EF 10 cannot compile an <c>ExecuteUpdate</c>
/// (dotnet/efcore#36741), and looking the LINQ statement up in EF's query cache each time cost more than running it.
/// </summary>
internal sealed class StepUpdateSql
{
    // The order of the values CreateParameters takes.
    private static readonly string[] Written =
    [
        nameof(ScheduledStep.State), nameof(ScheduledStep.Reason), nameof(ScheduledStep.MessageId), nameof(ScheduledStep.Priority),
        nameof(ScheduledStep.Attempts), nameof(ScheduledStep.LeaseOwner), nameof(ScheduledStep.DueAt), nameof(ScheduledStep.AvailableAt),
        nameof(ScheduledStep.UpdatedAt), nameof(ScheduledStep.CompletedAt), nameof(ScheduledStep.Version),
    ];

    private readonly (string Name, RelationalTypeMapping Mapping, bool Nullable)[] _parameters;
    private readonly ISqlGenerationHelper _helper;
    private readonly string _table;
    private readonly string[] _columns;
    private readonly string[] _storeTypes;

    // The multi-row statement and its parameter names, by row count (at most the store's rows per statement).
    private readonly ConcurrentDictionary<int, ManyStatement> _many = new();

    private StepUpdateSql(
        string sql, (string Name, RelationalTypeMapping Mapping, bool Nullable)[] parameters, ISqlGenerationHelper helper, string table, string[] columns, string[] storeTypes)
    {
        Sql = sql;
        _parameters = parameters;
        _helper = helper;
        _table = table;
        _columns = columns;
        _storeTypes = storeTypes;
    }

    /// <summary>The statement: the <see cref="Written"/> columns, then the id and the expected version in its WHERE.</summary>
    public string Sql { get; }

    public static StepUpdateSql For(DbContext context)
    {
        var entity = context.Model.FindEntityType(typeof(ScheduledStep))
            ?? throw new InvalidOperationException($"ScheduledStep is not in the model of {context.GetType().Name}: call modelBuilder.AddLoyalty() in its OnModelCreating.");
        var helper = context.GetService<ISqlGenerationHelper>();
        var store = StoreObjectIdentifier.Table(entity.GetTableName()!, entity.GetSchema());
        var parameters = new List<(string, RelationalTypeMapping, bool)>();
        string Parameter(string property)
        {
            var p = entity.FindProperty(property)!;
            var name = "loyalty_p" + parameters.Count.ToString(System.Globalization.CultureInfo.InvariantCulture);
            parameters.Add((helper.GenerateParameterName(name), p.GetRelationalTypeMapping(), p.IsNullable));
            return helper.GenerateParameterNamePlaceholder(name);
        }

        string Column(string property) => helper.DelimitIdentifier(entity.FindProperty(property)!.GetColumnName(store)!);
        var set = string.Join(", ", Written.Select(p => $"{Column(p)} = {Parameter(p)}"));
        var where = $"{Column(nameof(ScheduledStep.Id))} = {Parameter(nameof(ScheduledStep.Id))} AND {Column(nameof(ScheduledStep.Version))} = {Parameter(nameof(ScheduledStep.Version))}";
        // The multi-row form's value columns: the written ones, then the id and the expected version, each with the
        // column's store type (a VALUES list types its columns from its rows, and a null parameter has no type).
        string[] valueColumns = [.. Written, nameof(ScheduledStep.Id), nameof(ScheduledStep.Version)];
        var table = helper.DelimitIdentifier(store.Name, store.Schema);
        return new StepUpdateSql(
            $"UPDATE {table} SET {set} WHERE {where}", [.. parameters], helper, table,
            [.. valueColumns.Select(Column)], [.. valueColumns.Select(p => entity.FindProperty(p)!.GetColumnType(store))]);
    }

    /// <summary>
    /// One statement that writes <paramref name="rows"/> steps, each guarded by its version, and returns the id and new
    /// version of each row it wrote (PostgreSQL: <c>UPDATE … FROM (VALUES …) … RETURNING</c>), with the names of its
    /// parameters; built once per row count. Its parameters come from <see cref="CreateManyParameters"/>.
    /// </summary>
    public ManyStatement Many(int rows) => _many.GetOrAdd(rows, BuildMany);

    private ManyStatement BuildMany(int rows)
    {
        var names = new string[rows * _columns.Length];
        var sql = new System.Text.StringBuilder("UPDATE ").Append(_table).Append(" AS t SET ");
        for (var c = 0; c < Written.Length; c++)
        {
            sql.Append(c == 0 ? "" : ", ").Append(_columns[c]).Append(" = v.c").Append(c);
        }

        sql.Append(" FROM (VALUES ");
        for (var r = 0; r < rows; r++)
        {
            sql.Append(r == 0 ? "(" : ", (");
            for (var c = 0; c < _columns.Length; c++)
            {
                var name = string.Create(System.Globalization.CultureInfo.InvariantCulture, $"loyalty_r{r}_{c}");
                names[(r * _columns.Length) + c] = _helper.GenerateParameterName(name);
                sql.Append(c == 0 ? "CAST(" : ", CAST(").Append(_helper.GenerateParameterNamePlaceholder(name)).Append(" AS ").Append(_storeTypes[c]).Append(')');
            }

            sql.Append(')');
        }

        sql.Append(") AS v(");
        for (var c = 0; c < _columns.Length; c++)
        {
            sql.Append(c == 0 ? "c" : ", c").Append(c);
        }

        var id = _columns[Written.Length];
        var version = _columns[Written.Length + 1];
        sql.Append(") WHERE t.").Append(id).Append(" = v.c").Append(Written.Length)
            .Append(" AND t.").Append(version).Append(" = v.c").Append(Written.Length + 1)
            .Append(" RETURNING t.").Append(id).Append(", t.").Append(version);
        return new ManyStatement(sql.ToString(), names);
    }

    /// <summary>The parameters of <see cref="Many"/>'s statement for <paramref name="updates"/>, made by <paramref name="command"/>.</summary>
    public DbParameter[] CreateManyParameters(DbCommand command, IReadOnlyList<StepUpdate> updates)
    {
        var names = Many(updates.Count).ParameterNames;
        var parameters = new DbParameter[updates.Count * _parameters.Length];
        for (var r = 0; r < updates.Count; r++)
        {
            var (step, expected) = updates[r];
            var values = Values(step, expected, expected + 1);
            for (var c = 0; c < values.Length; c++)
            {
                var (_, mapping, nullable) = _parameters[c];
                var i = (r * values.Length) + c;
                parameters[i] = mapping.CreateParameter(command, names[i], values[c], nullable);
            }
        }

        return parameters;
    }

    private static object?[] Values(ScheduledStep step, int expectedVersion, int nextVersion) =>
    [
        step.State, step.Reason, step.MessageId, step.Priority, step.Attempts, step.LeaseOwner, step.DueAt, step.AvailableAt,
        step.UpdatedAt, step.CompletedAt, nextVersion, step.Id, expectedVersion,
    ];

    /// <summary>The parameters of <see cref="Sql"/> for <paramref name="step"/>, made by <paramref name="command"/>.</summary>
    public object[] CreateParameters(DbCommand command, ScheduledStep step, int expectedVersion, int nextVersion)
    {
        var values = Values(step, expectedVersion, nextVersion);
        var parameters = new object[values.Length];
        for (var i = 0; i < values.Length; i++)
        {
            var (name, mapping, nullable) = _parameters[i];
            parameters[i] = mapping.CreateParameter(command, name, values[i], nullable);
        }

        return parameters;
    }

    /// <summary>The multi-row statement for one row count, and its parameter names in value order, row by row.</summary>
    public sealed record ManyStatement(string Sql, string[] ParameterNames);
}
