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
            int or long or short or byte or sbyte or ushort or uint or ulong => NumberValue.Create(Convert.ToDecimal(value, CultureInfo.InvariantCulture)),
            decimal d => NumberValue.Create(d),
            double or float when double.IsFinite(Convert.ToDouble(value, CultureInfo.InvariantCulture)) && Math.Abs(Convert.ToDouble(value, CultureInfo.InvariantCulture)) < 7.9e27
                => NumberValue.Create(Convert.ToDecimal(value, CultureInfo.InvariantCulture)),
            double or float => NilValue.Instance,
            DateTimeOffset dto => DateTimeValue.Create(TimeZoneInfo.ConvertTime(dto, zone)),
            DateTime dt => DateTimeValue.Create(TimeZoneInfo.ConvertTime(new DateTimeOffset(dt.Kind == DateTimeKind.Unspecified ? DateTime.SpecifyKind(dt, DateTimeKind.Utc) : dt), zone)),
            MoneyValue money => new MoneyFluidValue(money),
            Guid or Enum or char or Uri or TimeSpan => StringValue.Create(Convert.ToString(value, CultureInfo.InvariantCulture) ?? string.Empty),
            IReadOnlyDictionary<string, object?> dictionary => DictionaryValue.Create(new ModelObject(dictionary, depth + 1, zone)),
            IDictionary dictionary => DictionaryValue.Create(new ModelObject(Keyed(dictionary), depth + 1, zone)),
            IEnumerable items => ArrayValue.Create(new ModelList(items as IReadOnlyList<object?> ?? items.Cast<object?>().ToList(), depth + 1, zone)),
            _ => throw new TemplateRenderException(
                $"A value of type {value.GetType().Name} is not allowed in a template model; use dictionaries, lists and plain values."),
        };
    }

    /// <summary>A Liquid value as the plain kinds <see cref="LiquidFilter"/> documents.</summary>
    public static object? ToPlain(FluidValue value, Fluid.TemplateContext context, int depth = 0)
    {
        if (depth > MaxDepth)
        {
            return null;
        }

        switch (value)
        {
            case MoneyFluidValue money:
                return money.Money;
            case NilValue or EmptyValue or BlankValue:
                return null;
            case BooleanValue b:
                return b.ToBooleanValue(context);
            case NumberValue n:
                var number = n.ToNumberValue(context);
                return number == decimal.Truncate(number) && number is >= long.MinValue and <= long.MaxValue && NumberValue.GetScale(number) == 0 ? (long)number : number;
            case DateTimeValue date:
                return date.ToObjectValue(context) is DateTimeOffset dto ? dto : (object?)date.ToStringValue(context);
            case ArrayValue array:
                return array.Values.Select(item => ToPlain(item, context, depth + 1)).ToList();
            case DictionaryValue dictionary when dictionary.ToObjectValue(context) is IFluidIndexable indexable:
                var result = new Dictionary<string, object?>(StringComparer.Ordinal);
                foreach (var key in indexable.Keys)
                {
                    result[key] = indexable.TryGetValue(key, out var item) ? ToPlain(item, context, depth + 1) : null;
                }

                return result;
            default:
                return value.ToStringValue(context);
        }
    }

    private static Dictionary<string, object?> Keyed(IDictionary dictionary)
    {
        var result = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (DictionaryEntry entry in dictionary)
        {
            result[Convert.ToString(entry.Key, CultureInfo.InvariantCulture) ?? string.Empty] = entry.Value;
        }

        return result;
    }

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

        public IEnumerator<FluidValue> GetEnumerator()
        {
            for (var i = 0; i < items.Count; i++)
            {
                yield return this[i];
            }
        }

        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
    }
}
