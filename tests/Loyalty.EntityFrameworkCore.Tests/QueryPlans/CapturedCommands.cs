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
        _commands.Add(new CapturedCommand(
            command.CommandText,
            command.Parameters.Cast<DbParameter>().Select(p => (DbParameter)((ICloneable)p).Clone()).ToList()));
}

/// <summary>One command as it ran.</summary>
public sealed record CapturedCommand(string Sql, IReadOnlyList<DbParameter> Parameters);
