namespace Loyalty.EntityFrameworkCore;

/// <summary>
/// Where Loyalty's tables go in a model: passed to <c>modelBuilder.AddLoyalty(options)</c>. The model of a
/// DbContext type is built once and cached, so these are fixed per context type.
/// </summary>
public sealed class LoyaltyModelOptions
{
    /// <summary>The database schema of Loyalty's tables; null means the context's default schema.</summary>
    public string? Schema { get; set; }

    /// <summary>
    /// Put before every Loyalty table name (<c>loyalty_scheduled_steps</c>). Default <c>loyalty_</c>; empty for none.
    /// </summary>
    public string TablePrefix { get; set; } = "loyalty_";
}
