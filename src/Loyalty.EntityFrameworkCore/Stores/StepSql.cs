using Loyalty.Stores;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;

namespace Loyalty.EntityFrameworkCore.Stores;

/// <summary>The raw SQL of the PostgreSQL claim, with the table and column names of one context's model.</summary>
/// <param name="ClaimDue">Picks due active rows (<paramref name="Pick"/>) and leases them in one statement.</param>
/// <param name="ClaimById">Leases one row by id if it is claimable.</param>
/// <param name="Pick">The claim's inner select, on its own: what the query plan tests explain.</param>
internal sealed record StepSql(string ClaimDue, string ClaimById, string Pick)
{
    public static StepSql For(DbContext context)
    {
        var entity = context.Model.FindEntityType(typeof(ScheduledStep))
            ?? throw new InvalidOperationException($"ScheduledStep is not in the model of {context.GetType().Name}: call modelBuilder.AddLoyalty() in its OnModelCreating.");
        var sqlHelper = context.GetService<ISqlGenerationHelper>();
        var tableName = entity.GetTableName()!;
        var schema = entity.GetSchema();
        var store = StoreObjectIdentifier.Table(tableName, schema);
        var table = sqlHelper.DelimitIdentifier(tableName, schema);
        string Column(string property) => sqlHelper.DelimitIdentifier(entity.FindProperty(property)!.GetColumnName(store)!);
        var columns = string.Join(", ", entity.GetProperties().Select(p => "c." + sqlHelper.DelimitIdentifier(p.GetColumnName(store)!)));
        var id = Column(nameof(ScheduledStep.Id));
        var state = Column(nameof(ScheduledStep.State));
        var availableAt = Column(nameof(ScheduledStep.AvailableAt));
        var version = Column(nameof(ScheduledStep.Version));
        var attempts = Column(nameof(ScheduledStep.Attempts));
        var lease = $"{Column(nameof(ScheduledStep.LeaseOwner))} = @owner, {availableAt} = @until, {version} = t.{version} + 1, " +
            $"{attempts} = t.{attempts} + 1, {Column(nameof(ScheduledStep.UpdatedAt))} = @now";
        var active = $"{state} IN ({(int)StepState.Scheduled}, {(int)StepState.Held})";
        var pick = $"SELECT {id}, {availableAt} FROM {table} WHERE {active} AND {availableAt} <= @now " +
            $"ORDER BY {availableAt} LIMIT @max FOR UPDATE SKIP LOCKED";
        var claimDue =
            $"WITH due AS ({pick}), " +
            $"claimed AS (UPDATE {table} AS t SET {lease} FROM due WHERE t.{id} = due.{id} " +
            $"RETURNING t.*, due.{availableAt} AS loyalty_claimed_from) " +
            $"SELECT {columns} FROM claimed AS c ORDER BY c.loyalty_claimed_from, c.{id}";
        var claimById =
            $"WITH claimed AS (UPDATE {table} AS t SET {lease} WHERE t.{id} = @id AND t.{state} IN ({(int)StepState.Scheduled}, {(int)StepState.Held}) " +
            $"AND t.{availableAt} <= @now RETURNING t.*) SELECT {columns} FROM claimed AS c";
        return new StepSql(claimDue, claimById, pick);
    }
}
