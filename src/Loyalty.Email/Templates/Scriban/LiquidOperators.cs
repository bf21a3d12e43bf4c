using System.Collections;
using System.Globalization;
using Scriban.Runtime;
using Scriban.Syntax;

namespace Loyalty.Email.Templates.Scriban;

/// <summary>
/// Ruby Liquid's operators where Scriban's differ: <c>==</c> never converts between strings, numbers and booleans;
/// <c>and</c>/<c>or</c> group from the right; <c>contains</c> on strings, arrays and hashes; <c>(a..b)</c> of integers;
/// <c>blank</c>/<c>empty</c>; what a <c>for</c> loop iterates.
/// </summary>
internal static class LiquidOperators
{
    public static bool IsComparison(ScriptBinaryOperator op) => op is ScriptBinaryOperator.CompareEqual or ScriptBinaryOperator.CompareNotEqual
        or ScriptBinaryOperator.CompareLess or ScriptBinaryOperator.CompareLessOrEqual or ScriptBinaryOperator.CompareGreater
        or ScriptBinaryOperator.CompareGreaterOrEqual or ScriptBinaryOperator.LiquidContains;

    /// <summary><c>a and b or c</c> is <c>a and (b or c)</c> in Liquid: conditions group from the right.</summary>
    public static bool Logical(LoyaltyLiquidContext context, ScriptBinaryExpression node)
    {
        var operands = new List<ScriptExpression>();
        var operators = new List<ScriptBinaryOperator>();
        Flatten(node, operands, operators);
        for (var i = 0; i < operands.Count; i++)
        {
            var value = context.ToBool(operands[i].Span, context.Evaluate(operands[i]));
            if (i == operands.Count - 1)
            {
                return value;
            }

            if (operators[i] == ScriptBinaryOperator.Or && value)
            {
                return true;
            }

            if (operators[i] == ScriptBinaryOperator.And && !value)
            {
                return false;
            }
        }

        return false;
    }

    private static void Flatten(ScriptExpression? node, List<ScriptExpression> operands, List<ScriptBinaryOperator> operators)
    {
        if (node is ScriptBinaryExpression { Operator: ScriptBinaryOperator.And or ScriptBinaryOperator.Or } binary && binary.Left is not null && binary.Right is not null)
        {
            Flatten(binary.Left, operands, operators);
            operators.Add(binary.Operator);
            Flatten(binary.Right, operands, operators);
        }
        else if (node is not null)
        {
            operands.Add(node);
        }
    }

    public static bool Compare(LoyaltyLiquidContext context, ScriptBinaryExpression node)
    {
        var left = context.Evaluate(node.Left, false);
        var right = context.Evaluate(node.Right, false);
        switch (node.Operator)
        {
            case ScriptBinaryOperator.CompareEqual:
                return AreEqual(left, right);
            case ScriptBinaryOperator.CompareNotEqual:
                return !AreEqual(left, right);
            case ScriptBinaryOperator.LiquidContains:
                return Contains(context, left, right);
        }

        if (!TryOrder(left, right, out var order))
        {
            if (left is string != right is string && IsOrderable(left) && IsOrderable(right))
            {
                throw new ScriptRuntimeException(node.Span, $"cannot compare {Describe(left)} with {Describe(right)}.");
            }

            return false;
        }

        return node.Operator switch
        {
            ScriptBinaryOperator.CompareLess => order < 0,
            ScriptBinaryOperator.CompareLessOrEqual => order <= 0,
            ScriptBinaryOperator.CompareGreater => order > 0,
            _ => order >= 0,
        };
    }

    private static bool IsNumber(object? value) => value is int or long or decimal or double or float or MoneyObject;

    private static bool IsOrderable(object? value) => IsNumber(value) || value is string or DateTimeOffset;

    private static string Describe(object? value) => value switch
    {
        string => "a string",
        _ when IsNumber(value) => "a number",
        _ => "a value",
    };

    private static bool TryOrder(object? left, object? right, out int order)
    {
        order = 0;
        if (IsNumber(left) && IsNumber(right) && LiquidValues.TryToDecimal(left, out var a) && LiquidValues.TryToDecimal(right, out var b))
        {
            order = a.CompareTo(b);
            return true;
        }

        if (left is string sa && right is string sb)
        {
            order = string.CompareOrdinal(sa, sb);
            return true;
        }

        if (left is DateTimeOffset da && right is DateTimeOffset db)
        {
            order = da.CompareTo(db);
            return true;
        }

        return false;
    }

    /// <summary>Ruby's <c>==</c> as Liquid applies it.</summary>
    public static bool AreEqual(object? left, object? right)
    {
        if (left is LiquidKeyword keyword)
        {
            return right is not LiquidKeyword && keyword.Matches(right);
        }

        if (right is LiquidKeyword other)
        {
            return other.Matches(left);
        }

        if (left is null || right is null)
        {
            return left is null && right is null;
        }

        if (left is bool || right is bool)
        {
            return left is bool a && right is bool b && a == b;
        }

        if (IsNumber(left) || IsNumber(right))
        {
            return IsNumber(left) && IsNumber(right) && LiquidValues.TryToDecimal(left, out var x) && LiquidValues.TryToDecimal(right, out var y) && x == y;
        }

        if (left is string || right is string)
        {
            return left is string sl && right is string sr && string.Equals(sl, sr, StringComparison.Ordinal);
        }

        if (left is ScriptArray or LiquidRange && right is ScriptArray or LiquidRange)
        {
            var l = ((IEnumerable)left).Cast<object?>().ToList();
            var r = ((IEnumerable)right).Cast<object?>().ToList();
            return l.Count == r.Count && l.Zip(r).All(p => AreEqual(p.First, p.Second));
        }

        if (left is ScriptObject lo && right is ScriptObject ro)
        {
            return lo.Count == ro.Count && lo.All(p => ro.TryGetValue(p.Key, out var v) && AreEqual(p.Value, v));
        }

        return Equals(left, right);
    }

    private static bool Contains(LoyaltyLiquidContext context, object? left, object? right)
    {
        if (right is null or false)
        {
            return false; // Liquid's contains is false for a nil or false right-hand side
        }

        switch (left)
        {
            case string s:
                return right is not null and not LiquidKeyword && s.Contains(context.ObjectToString(right) ?? string.Empty, StringComparison.Ordinal);
            case ScriptArray or LiquidRange:
                return ((IEnumerable)left).Cast<object?>().Any(item => AreEqual(item, right));
            case MoneyObject:
                return false;
            case ScriptObject o:
                return right is string key && o.ContainsKey(key);
            default:
                return false;
        }
    }

    /// <summary><c>(a..b)</c>: both ends as integers (Ruby's <c>to_i</c>), lazily; refused beyond the loop limit.</summary>
    public static LiquidRange Range(LoyaltyLiquidContext context, ScriptBinaryExpression node)
    {
        var start = ToInteger(context.Evaluate(node.Left, false));
        var end = ToInteger(context.Evaluate(node.Right, false));
        var range = new LiquidRange(start, end);
        if (context.LoopLimit > 0 && range.Count > context.LoopLimit)
        {
            throw new ScriptRuntimeException(node.Span, $"the range ({start}..{end}) has more than {context.LoopLimit} items (the loop limit).");
        }

        return range;
    }

    private static long ToInteger(object? value)
    {
        var number = LiquidValues.ToNumber(value);
        return number is long l ? l : (long)Math.Clamp(Math.Truncate((decimal)number), long.MinValue / 4, long.MaxValue / 4);
    }

    /// <summary>What <c>for</c> iterates: a hash as [key, value] pairs, a string once, nothing for other single values.</summary>
    public static object? Iterable(object? value) => value switch
    {
        null => null,
        string s => s.Length == 0 ? new ScriptArray() : new ScriptArray { s },
        LiquidKeyword => new ScriptArray(),
        MoneyObject => new ScriptArray { value },
        ScriptObject o => new ScriptArray(o.Select(p => (object?)new ScriptArray { p.Key, p.Value })),
        IEnumerable => value,
        _ => new ScriptArray(),
    };

    /// <summary><c>array.first</c>, <c>array.last</c>, and <c>hash.first</c> (its first [key, value] pair).</summary>
    public static bool FirstOrLast(LoyaltyLiquidContext context, ScriptMemberExpression node, out object? item)
    {
        item = null;
        var first = node.Member!.Name == "first";
        var target = context.Evaluate(node.Target, false);
        switch (target)
        {
            case ScriptArray array:
                item = array.Count == 0 ? null : first ? array[0] : array[^1];
                return true;
            case LiquidRange range:
                item = range.Count == 0 ? null : first ? range.Start : range.End;
                return true;
            case ScriptObject o and not MoneyObject when first && !o.ContainsKey("first"):
                item = o.Count == 0 ? null : o.Select(p => new ScriptArray { p.Key, p.Value }).First();
                return true;
            default:
                return false;
        }
    }
}

/// <summary>Liquid's <c>blank</c> and <c>empty</c> literals: truthy, written as nothing, equal to what is blank or empty.</summary>
internal sealed class LiquidKeyword
{
    public static readonly LiquidKeyword Blank = new(blank: true);

    public static readonly LiquidKeyword Empty = new(blank: false);

    private readonly bool _blank;

    private LiquidKeyword(bool blank) => _blank = blank;

    public bool Matches(object? value) => value switch
    {
        null => _blank,
        bool b => _blank && !b,
        string s => _blank ? string.IsNullOrWhiteSpace(s) : s.Length == 0,
        ScriptArray a => a.Count == 0,
        LiquidRange r => r.Count == 0,
        MoneyObject => false,
        ScriptObject o => o.Count == 0,
        _ => false,
    };

    public override string ToString() => string.Empty;
}

/// <summary>A Liquid range <c>(start..end)</c> of integers, enumerated lazily; written as <c>start..end</c>.</summary>
internal sealed class LiquidRange(long start, long end) : IEnumerable<object?>
{
    public long Start { get; } = start;

    public long End { get; } = end;

    public long Count => End >= Start ? End - Start + 1 : 0;

    public IEnumerator<object?> GetEnumerator()
    {
        for (var i = Start; i <= End; i++)
        {
            yield return i;
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Start}..{End}");
}
