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

    private StepUpdateSql(string sql, (string Name, RelationalTypeMapping Mapping, bool Nullable)[] parameters)
    {
        Sql = sql;
        _parameters = parameters;
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
        return new StepUpdateSql($"UPDATE {helper.DelimitIdentifier(store.Name, store.Schema)} SET {set} WHERE {where}", [.. parameters]);
    }

    /// <summary>The parameters of <see cref="Sql"/> for <paramref name="step"/>, made by <paramref name="command"/>.</summary>
    public object[] CreateParameters(DbCommand command, ScheduledStep step, int expectedVersion, int nextVersion)
    {
        object?[] values =
        [
            step.State, step.Reason, step.MessageId, step.Priority, step.Attempts, step.LeaseOwner, step.DueAt, step.AvailableAt,
            step.UpdatedAt, step.CompletedAt, nextVersion, step.Id, expectedVersion,
        ];
        var parameters = new object[values.Length];
        for (var i = 0; i < values.Length; i++)
        {
            var (name, mapping, nullable) = _parameters[i];
            parameters[i] = mapping.CreateParameter(command, name, values[i], nullable);
        }

        return parameters;
    }
}
