using System.Data.Common;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Loyalty.EntityFrameworkCore.Tests.QueryPlans;

/// <summary>Records every command a context runs, with copies of its parameters, so a test can EXPLAIN it.</summary>
public sealed class CapturedCommands : DbCommandInterceptor
{
    private readonly List<CapturedCommand> _commands = [];

    public IReadOnlyList<CapturedCommand> Commands => _commands;

    public void Clear() => _commands.Clear();

    public override ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(
        DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default)
    {
        Capture(command);
        return ValueTask.FromResult(result);
    }

    public override ValueTask<InterceptionResult<int>> NonQueryExecutingAsync(
        DbCommand command, CommandEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
    {
        Capture(command);
        return ValueTask.FromResult(result);
    }

    public override ValueTask<InterceptionResult<object>> ScalarExecutingAsync(
        DbCommand command, CommandEventData eventData, InterceptionResult<object> result, CancellationToken cancellationToken = default)
    {
        Capture(command);
        return ValueTask.FromResult(result);
    }

    private void Capture(DbCommand command) =>
        _commands.Add(new CapturedCommand(command.CommandText, command.Parameters.Cast<DbParameter>().Select(Copy).ToList()));

    // Npgsql's parameters clone themselves with their types; others are copied by name, value and DbType.
    private static DbParameter Copy(DbParameter parameter) =>
        parameter is ICloneable cloneable
            ? (DbParameter)cloneable.Clone()
            : new CapturedParameter { ParameterName = parameter.ParameterName, Value = parameter.Value, DbType = parameter.DbType };
}

/// <summary>A parameter value as it was sent.</summary>
public sealed class CapturedParameter : DbParameter
{
    public override System.Data.DbType DbType { get; set; }

    public override System.Data.ParameterDirection Direction { get; set; }

    public override bool IsNullable { get; set; }

    [System.Diagnostics.CodeAnalysis.AllowNull]
    public override string ParameterName { get; set; } = "";

    [System.Diagnostics.CodeAnalysis.AllowNull]
    public override string SourceColumn { get; set; } = "";

    public override object? Value { get; set; }

    public override bool SourceColumnNullMapping { get; set; }

    public override int Size { get; set; }

    public override void ResetDbType() => DbType = System.Data.DbType.String;
}

/// <summary>One command as it ran.</summary>
public sealed record CapturedCommand(string Sql, IReadOnlyList<DbParameter> Parameters);
