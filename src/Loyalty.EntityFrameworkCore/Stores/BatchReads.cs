namespace Loyalty.EntityFrameworkCore.Stores;

/// <summary>The size of the statements of the stores' batch reads.</summary>
internal static class BatchReads
{
    /// <summary>
    /// The most keys one <c>IN</c> statement carries: with EF's padding of the list still under the parameter limits
    /// of SQL Server (2,100) and of older SQLite builds (999), and large enough that a dispatch batch is one statement.
    /// </summary>
    public const int MaxKeysPerStatement = 500;
}
