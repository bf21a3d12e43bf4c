namespace Loyalty.EntityFrameworkCore;

/// <summary>How the EF stores write. Set through <c>UseEntityFrameworkCore&lt;TContext&gt;(o =&gt; ...)</c>.</summary>
public sealed class LoyaltyEntityFrameworkCoreOptions
{
    /// <summary>
    /// True (default): intake and suppression writes are saved by the store (inside the context's current
    /// transaction when one is open, so the shop's commit or rollback decides). False: they are only added to the
    /// context's change tracker and the shop's own <c>SaveChanges</c> writes them, as ASP.NET Core Identity's
    /// stores do with <c>AutoSaveChanges</c>. Claims and step transitions are always immediate: they are guarded
    /// single statements that workers run outside any unit of work of the shop.
    /// </summary>
    public bool AutoSaveChanges { get; set; } = true;

    /// <summary>
    /// True (default): on PostgreSQL the dispatcher's group writes of step results prepare their statement on the
    /// connection they keep open, so it is parsed and planned once per connection instead of once per write. Set it
    /// to false when connections go through a pooler that does not carry prepared statements from one transaction to
    /// the next (PgBouncer in transaction mode before 1.21, or without <c>max_prepared_statements</c>).
    /// </summary>
    public bool PrepareStatements { get; set; } = true;
}
