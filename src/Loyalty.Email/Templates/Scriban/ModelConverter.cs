using System.Collections;
using System.Globalization;
using Scriban;
using Scriban.Parsing;
using Scriban.Runtime;
using Scriban.Syntax;

namespace Loyalty.Email.Templates.Scriban;

/// <summary>
/// Turns the model's dictionaries, lists and plain values into Scriban script objects. This is the allow-list: no CLR
/// object other than plain values ever reaches a template, so no member of a CLR type can be called.
/// </summary>
internal static class ModelConverter
{
    private const int MaxDepth = 32;

    public static ScriptObject ToScriptObject(IReadOnlyDictionary<string, object?> root)
    {
        var result = new ScriptObject();
        foreach (var (key, value) in root)
        {
            result[key] = Convert(value, 0);
        }

        result.IsReadOnly = true;
        return result;
    }

    public static object? Convert(object? value, int depth)
    {
        if (depth > MaxDepth)
        {
            throw new TemplateRenderException("The template model is nested too deeply (or has a cycle).");
        }

        switch (value)
        {
            case null:
                return null;
            case string or bool or int or long or decimal or double:
                return value;
            case short or byte or sbyte or ushort:
                return System.Convert.ToInt32(value, CultureInfo.InvariantCulture);
            case uint or ulong:
                return System.Convert.ToDecimal(value, CultureInfo.InvariantCulture);
            case float f:
                return (double)f;
            case DateTimeOffset:
                return value;
            case DateTime dt:
                return new DateTimeOffset(dt.Kind == DateTimeKind.Unspecified ? DateTime.SpecifyKind(dt, DateTimeKind.Utc) : dt);
            case MoneyValue money:
                return new MoneyObject(money);
            case MoneyObject or ScriptObject or ScriptArray:
                return value;
            case Guid or Enum or char or Uri or TimeSpan:
                return System.Convert.ToString(value, CultureInfo.InvariantCulture);
            case IReadOnlyDictionary<string, object?> readOnly:
                {
                    var obj = new ScriptObject();
                    foreach (var (key, item) in readOnly)
                    {
                        obj[key] = Convert(item, depth + 1);
                    }

                    obj.IsReadOnly = true; // shared by the parts of one e-mail: a template never changes it
                    return obj;
                }

            case IDictionary dictionary:
                {
                    var obj = new ScriptObject();
                    foreach (DictionaryEntry entry in dictionary)
                    {
                        obj[System.Convert.ToString(entry.Key, CultureInfo.InvariantCulture) ?? string.Empty] = Convert(entry.Value, depth + 1);
                    }

                    obj.IsReadOnly = true;
                    return obj;
                }

            case IEnumerable enumerable:
                {
                    var array = new ScriptArray();
                    foreach (var item in enumerable)
                    {
                        array.Add(Convert(item, depth + 1));
                    }

                    return array;
                }

            default:
                throw new TemplateRenderException(
                    $"A value of type {value.GetType().Name} is not allowed in a template model; use dictionaries, lists and plain values.");
        }
    }

    /// <summary>Turns a script value back into the plain kinds <see cref="LiquidFilter"/> documents.</summary>
    public static object? ToPlain(object? value, int depth = 0)
    {
        if (depth > MaxDepth)
        {
            return null;
        }

        switch (value)
        {
            case MoneyObject money:
                return money.Money;
            case ScriptObject obj:
                return obj.ToDictionary(p => p.Key, p => ToPlain(p.Value, depth + 1), StringComparer.Ordinal);
            case ScriptArray array:
                return array.Select(item => ToPlain(item, depth + 1)).ToList();
            case int i:
                return (long)i;
            default:
                return value;
        }
    }
}

/// <summary>A <see cref="MoneyValue"/> as templates see it: <c>amount</c> and <c>currency</c>, compares and adds as its amount.</summary>
internal sealed class MoneyObject : ScriptObject, IScriptCustomBinaryOperation
{
    // Not ScriptObject's parameterless constructor: that imports the static members of the derived type by
    // reflection, for every money value of every render.
    public MoneyObject(MoneyValue money)
        : base(2, autoImportStaticsFromThisType: false)
    {
        Money = money;
        this["amount"] = money.Amount;
        this["currency"] = money.Currency;
        IsReadOnly = true; // shared by the parts of one e-mail, as the model's other objects
    }

    public MoneyValue Money { get; }

    public bool TryEvaluate(TemplateContext context, SourceSpan span, ScriptBinaryOperator op, SourceSpan leftSpan, object? leftValue, SourceSpan rightSpan, object? rightValue, out object? result)
    {
        result = null;
        if (!LiquidValues.TryToDecimal(leftValue, out var left) || !LiquidValues.TryToDecimal(rightValue, out var right))
        {
            if (op is ScriptBinaryOperator.CompareEqual or ScriptBinaryOperator.CompareNotEqual)
            {
                result = op == ScriptBinaryOperator.CompareNotEqual;
                return true;
            }

            return false;
        }

        switch (op)
        {
            case ScriptBinaryOperator.CompareEqual: result = left == right; return true;
            case ScriptBinaryOperator.CompareNotEqual: result = left != right; return true;
            case ScriptBinaryOperator.CompareLess: result = left < right; return true;
            case ScriptBinaryOperator.CompareLessOrEqual: result = left <= right; return true;
            case ScriptBinaryOperator.CompareGreater: result = left > right; return true;
            case ScriptBinaryOperator.CompareGreaterOrEqual: result = left >= right; return true;
            default: return false;
        }
    }
}
