using System.Globalization;
using System.Text;
using Scriban;
using Scriban.Parsing;
using Scriban.Runtime;
using Scriban.Syntax;

namespace Loyalty.Email.Templates.Scriban;

/// <summary>
/// One render's context: created fresh for every render and never reused (a context carries globals, captures and
/// output of the customer it rendered). Encodes values written by <c>{{ }}</c> when rendering HTML.
/// </summary>
internal sealed class LoyaltyLiquidContext : TemplateContext
{
    private readonly HashSet<object> _trustedHtml = new(ReferenceEqualityComparer.Instance);
    private readonly IReadOnlyDictionary<string, Template> _partials;
    private readonly int _depth;
    private readonly Func<RenderSettings, IReadOnlyDictionary<string, Template>, int, LoyaltyLiquidContext> _isolatedContext;
    private readonly Dictionary<string, long> _counters = new(StringComparer.Ordinal);

    public LoyaltyLiquidContext(
        ScriptObject builtins,
        RenderSettings settings,
        IReadOnlyDictionary<string, Template> partials,
        TimeProvider clock,
        int depth,
        Func<RenderSettings, IReadOnlyDictionary<string, Template>, int, LoyaltyLiquidContext> isolatedContext)
        : base(builtins)
    {
        // What LiquidTemplateContext sets, without the builtin library it would build for each context.
        Language = ScriptLang.Liquid;
        IsLiquid = true;
        EnableBreakAndContinueAsReturnOutsideLoop = true;
        EnableRelaxedTargetAccess = true;
        TemplateLoaderLexerOptions = new LexerOptions { Lang = ScriptLang.Liquid };
        Settings = settings;
        _partials = partials;
        Clock = clock;
        _depth = depth;
        _isolatedContext = isolatedContext;
    }

    public RenderSettings Settings { get; }

    public TimeProvider Clock { get; }

    /// <summary>Marks a string instance as trusted HTML (from <c>raw</c> or a capture already encoded).</summary>
    public string Trust(string value)
    {
        if (value.Length == 0)
        {
            return value;
        }

        // A copy, so that marking never makes another use of the same (possibly interned) string trusted.
        var copy = new string(value.AsSpan());
        _trustedHtml.Add(copy);
        return copy;
    }

    public override TemplateContext Write(SourceSpan span, object? textAsObject)
    {
        if (Settings.HtmlEncode && textAsObject is not null && !_trustedHtml.Contains(textAsObject))
        {
            return base.Write(span, HtmlEncode(ObjectToString(textAsObject)));
        }

        return base.Write(span, textAsObject);
    }

    public override object? Evaluate(ScriptNode? scriptNode, bool aliasReturnedFunction)
    {
        // A capture in an HTML body holds text whose values are already encoded: writing it must not encode twice.
        if (Settings.HtmlEncode && scriptNode is ScriptCaptureStatement capture && capture.Body is not null && capture.Target is not null)
        {
            PushOutput();
            string result;
            try
            {
                Evaluate(capture.Body);
            }
            finally
            {
                result = PopOutput().ToString() ?? string.Empty;
            }

            SetValue(capture.Target, Trust(result));
            return null;
        }

        object? value;
        switch (scriptNode)
        {
            case ScriptVariableGlobal { Name: "blank" or "empty" } keyword:
                value = keyword.Name == "blank" ? LiquidKeyword.Blank : LiquidKeyword.Empty;
                break;
            case ScriptBinaryExpression { Operator: ScriptBinaryOperator.And or ScriptBinaryOperator.Or } logical:
                return LiquidOperators.Logical(this, logical);
            case ScriptBinaryExpression { Operator: ScriptBinaryOperator.RangeInclude } range:
                value = LiquidOperators.Range(this, range);
                break;
            case ScriptBinaryExpression comparison when LiquidOperators.IsComparison(comparison.Operator):
                return LiquidOperators.Compare(this, comparison);
            case ScriptMemberExpression { Member.Name: "first" or "last" } member when LiquidOperators.FirstOrLast(this, member, out var item):
                value = item;
                break;
            default:
                value = base.Evaluate(scriptNode, aliasReturnedFunction);
                break;
        }

        return scriptNode is not null && scriptNode.Parent is ScriptForStatement loop && ReferenceEquals(loop.Iterator, scriptNode)
            ? LiquidOperators.Iterable(value)
            : value;
    }

    /// <summary>Liquid's <c>increment</c> (returns, then adds one) and <c>decrement</c> (subtracts one, then returns).</summary>
    public long Count(string name, int delta)
    {
        var before = _counters.GetValueOrDefault(name);
        var after = before + delta;
        _counters[name] = after;

        // A counter is readable as a variable unless the template assigned that name itself.
        var variable = new ScriptVariableGlobal(name);
        var current = GetValue(variable);
        if (current is null || (current is long l && l == before))
        {
            SetValue(variable, after);
        }

        return delta > 0 ? before : after;
    }

    /// <summary>Renders a partial in an isolated context that sees only <paramref name="variables"/> (Liquid's <c>render</c>).</summary>
    public string RenderIsolated(string name, ScriptObject variables, ScriptNode? caller)
    {
        if (!_partials.TryGetValue(name, out var partial))
        {
            throw new ScriptRuntimeException(caller?.Span ?? CurrentSpan, $"render of '{name}' refused: only partials in _partials can be rendered.");
        }

        if (_depth + 1 > RecursiveLimit)
        {
            throw new ScriptRuntimeException(caller?.Span ?? CurrentSpan, $"render of '{name}' nested deeper than {RecursiveLimit} levels.");
        }

        var child = _isolatedContext(Settings, _partials, _depth + 1);
        child.PushGlobal(variables);
        return Trust(partial.Render(child));
    }

    public override string GetTemplatePathFromName(string? templateName, ScriptNode? callerContext)
    {
        if (templateName is not null && _partials.ContainsKey(templateName))
        {
            return templateName;
        }

        throw new ScriptRuntimeException(callerContext?.Span ?? CurrentSpan, $"include of '{templateName}' refused: only partials in _partials can be included.");
    }

    protected override Template CreateTemplate(string templatePath, ScriptNode? callerContext)
    {
        if (_partials.TryGetValue(templatePath, out var template))
        {
            return template;
        }

        throw new ScriptRuntimeException(callerContext?.Span ?? CurrentSpan, $"include of '{templatePath}' refused: only partials in _partials can be included.");
    }

    public override string ObjectToString(object? value, bool nested = false)
    {
        switch (value)
        {
            case MoneyObject money:
                return MoneyFormatter.Format(money.Money.Amount, money.Money.Currency, Settings.Culture);
            case LiquidKeyword:
                return string.Empty;
            case LiquidRange range:
                return range.ToString();
            case DateTimeOffset date:
                return TimeZoneInfo.ConvertTime(date, Settings.Zone).ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture);
            case decimal d:
                return d.ToString(CultureInfo.InvariantCulture);
            case double dbl:
                return LiquidValues.FormatDouble(dbl);
            case ScriptArray array when !nested:
                {
                    var builder = new StringBuilder();
                    foreach (var item in array)
                    {
                        if (item is not null)
                        {
                            builder.Append(ObjectToString(item, true));
                        }
                    }

                    return builder.ToString();
                }

            default:
                return base.ObjectToString(value, nested) ?? string.Empty;
        }
    }

    private static string HtmlEncode(string text)
    {
        if (text.AsSpan().IndexOfAny("&<>\"'") < 0)
        {
            return text;
        }

        var builder = new StringBuilder(text.Length + 16);
        foreach (var c in text)
        {
            builder.Append(c switch
            {
                '&' => "&amp;",
                '<' => "&lt;",
                '>' => "&gt;",
                '"' => "&quot;",
                '\'' => "&#39;",
                _ => null,
            } ?? c.ToString());
        }

        return builder.ToString();
    }
}

/// <summary>What one render needs besides the model: encoding, culture and zone.</summary>
internal sealed record RenderSettings(bool HtmlEncode, string Locale, CultureInfo Culture, string TimeZoneId, TimeZoneInfo Zone)
{
    public static RenderSettings For(string locale, string timeZoneId, bool htmlEncode)
    {
        CultureInfo culture;
        try
        {
            culture = string.IsNullOrWhiteSpace(locale) || locale == "default" ? CultureInfo.InvariantCulture : CultureInfo.GetCultureInfo(locale);
        }
        catch (CultureNotFoundException)
        {
            culture = CultureInfo.InvariantCulture;
        }

        TimeZoneInfo zone;
        try
        {
            zone = string.IsNullOrWhiteSpace(timeZoneId) ? TimeZoneInfo.Utc : TimeZoneInfo.FindSystemTimeZoneById(timeZoneId);
        }
        catch (TimeZoneNotFoundException)
        {
            throw new TemplateRenderException($"Unknown time zone '{timeZoneId}'; use an IANA name such as Asia/Taipei.");
        }

        return new RenderSettings(htmlEncode, locale ?? string.Empty, culture, timeZoneId ?? "UTC", zone);
    }
}
