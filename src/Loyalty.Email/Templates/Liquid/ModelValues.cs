using System.Collections;
using System.Globalization;
using Fluid.Values;

namespace Loyalty.Email.Templates.Liquid;

/// <summary>
/// The allow-list: a <see cref="TemplateModel"/>'s dictionaries, lists and plain values as Liquid values, converted
/// when a template reads them. Nothing else becomes a value, so no member of a CLR type is reachable.
/// </summary>
internal static class ModelValues
{
    private const int MaxDepth = 32;

    /// <summary>
    /// The model's roots as one dictionary value (the render's fallback scope). Its dates, stored in UTC, read in
    /// <paramref name="zone"/>, the customer's: <c>{{ order.placed_at | date: '%H:%M' }}</c> is the customer's clock.
    /// </summary>
    public static FluidValue Root(IReadOnlyDictionary<string, object?> root, TimeZoneInfo zone) => DictionaryValue.Create(new ModelObject(root, 0, zone));

    public static FluidValue From(object? value, TimeZoneInfo zone, int depth = 0)
    {
        if (depth > MaxDepth)
        {
            throw new TemplateRenderException("The template model is nested too deeply (or has a cycle).");
        }

        return value switch
        {
            null => NilValue.Instance,
            string s => StringValue.Create(s),
            bool b => BooleanValue.Create(b),
            int or long or short or byte or sbyte or ushort or uint or ulong or decimal => NumberValue.Create(Convert.ToDecimal(value, CultureInfo.InvariantCulture)),
            double or float => Convert.ToDouble(value, CultureInfo.InvariantCulture) is var d && double.IsFinite(d) && Math.Abs(d) < 7.9e27 ? NumberValue.Create((decimal)d) : NilValue.Instance,
            DateTimeOffset dto => DateTimeValue.Create(TimeZoneInfo.ConvertTime(dto, zone)),
            DateTime dt => DateTimeValue.Create(TimeZoneInfo.ConvertTime(new DateTimeOffset(dt.Kind == DateTimeKind.Unspecified ? DateTime.SpecifyKind(dt, DateTimeKind.Utc) : dt), zone)),
            MoneyValue money => new MoneyFluidValue(money),
            Guid or Enum or char or Uri or TimeSpan => StringValue.Create(Convert.ToString(value, CultureInfo.InvariantCulture) ?? string.Empty),
            IReadOnlyDictionary<string, object?> dictionary => DictionaryValue.Create(new ModelObject(dictionary, depth + 1, zone)),
            IDictionary dictionary => DictionaryValue.Create(new ModelObject(
                dictionary.Cast<DictionaryEntry>().ToDictionary(e => Convert.ToString(e.Key, CultureInfo.InvariantCulture) ?? string.Empty, e => e.Value, StringComparer.Ordinal), depth + 1, zone)),
            IEnumerable items => ArrayValue.Create(new ModelList(items as IReadOnlyList<object?> ?? items.Cast<object?>().ToList(), depth + 1, zone)),
            _ => throw new TemplateRenderException(
                $"A value of type {value.GetType().Name} is not allowed in a template model; use dictionaries, lists and plain values."),
        };
    }

    /// <summary>A Liquid value as the plain kinds <see cref="LiquidFilter"/> documents.</summary>
    public static object? ToPlain(FluidValue value, Fluid.TemplateContext context, int depth = 0) => value switch
    {
        _ when depth > MaxDepth => null,
        MoneyFluidValue money => money.Money,
        NilValue or EmptyValue or BlankValue => null,
        BooleanValue b => b.ToBooleanValue(context),
        NumberValue n => n.ToNumberValue(context) is var number && NumberValue.GetScale(number) == 0 && number is >= long.MinValue and <= long.MaxValue ? (object)(long)number : number,
        DateTimeValue date => date.ToObjectValue(context) is DateTimeOffset moment ? moment : date.ToStringValue(context),
        ArrayValue array => array.Values.Select(item => ToPlain(item, context, depth + 1)).ToList(),
        DictionaryValue dictionary when dictionary.ToObjectValue(context) is IFluidIndexable indexable =>
            indexable.Keys.ToDictionary(k => k, k => indexable.TryGetValue(k, out var item) ? ToPlain(item, context, depth + 1) : null, StringComparer.Ordinal),
        _ => value.ToStringValue(context),
    };

    /// <summary>A model dictionary: its keys are the only members a template can read.</summary>
    private sealed class ModelObject(IReadOnlyDictionary<string, object?> values, int depth, TimeZoneInfo zone) : IFluidIndexable
    {
        public int Count => values.Count;

        public IEnumerable<string> Keys => values.Keys;

        public bool TryGetValue(string name, out FluidValue value)
        {
            if (values.TryGetValue(name, out var raw))
            {
                value = From(raw, zone, depth);
                return true;
            }

            value = NilValue.Instance;
            return false;
        }
    }

    /// <summary>A model list, its items converted when read.</summary>
    private sealed class ModelList(IReadOnlyList<object?> items, int depth, TimeZoneInfo zone) : IReadOnlyList<FluidValue>
    {
        public int Count => items.Count;

        public FluidValue this[int index] => From(items[index], zone, depth);

        public IEnumerator<FluidValue> GetEnumerator() => Enumerable.Range(0, items.Count).Select(i => this[i]).GetEnumerator();

        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
    }
}
