namespace Loyalty.Email.Templates;

/// <summary>
/// A Liquid filter added by another package. <paramref name="input"/> and <paramref name="arguments"/> are plain values:
/// string, bool, long, decimal, double, <see cref="DateTimeOffset"/>, <see cref="MoneyValue"/>, null,
/// <see cref="IReadOnlyDictionary{TKey, TValue}"/> of string to value, or <see cref="IReadOnlyList{T}"/> of values.
/// Return one of the same kinds. The result is HTML-encoded in HTML bodies like any other value.
/// </summary>
/// <param name="input">The value left of the pipe.</param>
/// <param name="arguments">The values after the colon.</param>
/// <param name="context">Locale and time zone of the render.</param>
public delegate object? LiquidFilter(object? input, IReadOnlyList<object?> arguments, LiquidFilterContext context);

/// <summary>What a filter may know about the render it runs in.</summary>
/// <param name="Locale">The model's locale (e.g. <c>zh-TW</c>).</param>
/// <param name="TimeZone">The model's IANA time zone.</param>
public sealed record LiquidFilterContext(string Locale, string TimeZone);

/// <summary>
/// Adds filters to every template and condition (e.g. Loyalty.Referrals adds <c>share_url</c>). Register
/// implementations in DI; names must be lower-case snake case and must not replace a built-in filter.
/// </summary>
public interface ILiquidFilterProvider
{
    /// <summary>Filters by name.</summary>
    IReadOnlyDictionary<string, LiquidFilter> Filters { get; }
}
