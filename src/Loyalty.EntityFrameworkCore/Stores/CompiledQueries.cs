using Microsoft.EntityFrameworkCore;

namespace Loyalty.EntityFrameworkCore.Stores;

/// <summary>
/// Compiled queries kept with the model they were compiled for. EF refuses to run a compiled query with another
/// model than its first, and one context type can have several (another provider, another schema per tenant), so
/// the queries cannot be static: they live in a runtime annotation of the model (thread-safe, and gone with it).
/// </summary>
internal static class CompiledQueries
{
    /// <summary>The <typeparamref name="TQueries"/> of <paramref name="context"/>'s model, created on first use.</summary>
    /// <param name="context">The context whose model keeps the queries.</param>
    /// <param name="key">Unique per query set and context type.</param>
    /// <param name="create">Compiles the queries for the context's model.</param>
    public static TQueries For<TQueries>(DbContext context, string key, Func<DbContext, TQueries> create)
        where TQueries : class =>
        context.Model.GetOrAddRuntimeAnnotationValue(key, static state => state.Create(state.Context), (Create: create, Context: context));
}
