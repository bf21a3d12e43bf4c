using Loyalty.Email.Templates.Liquid;

namespace Loyalty.Email.Templates;

/// <summary>
/// A flow condition written in Liquid (<c>order.total &gt; 1000 and customer.locale == "zh-TW"</c>), compiled and checked
/// once; evaluated against a <see cref="TemplateModel"/> as often as needed. Thread-safe.
/// </summary>
public sealed class LiquidCondition
{
    private readonly LiquidEngine _engine;
    private readonly LiquidTemplate _template;

    private LiquidCondition(string expression, LiquidEngine engine, LiquidTemplate template)
    {
        Expression = expression;
        _engine = engine;
        _template = template;
    }

    /// <summary>The expression as written.</summary>
    public string Expression { get; }

    /// <summary>
    /// Compiles <paramref name="expression"/>; throws <see cref="TemplateValidationException"/> on a syntax error, an
    /// unknown variable or an unknown filter. <paramref name="name"/> names the condition in diagnostics.
    /// </summary>
    public static LiquidCondition Compile(string expression, string name = "condition", TemplateOptions? options = null, IEnumerable<ILiquidFilterProvider>? filterProviders = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(expression);
        if (expression.Contains("%}", StringComparison.Ordinal) || expression.Contains("{%", StringComparison.Ordinal) || expression.Contains("}}", StringComparison.Ordinal))
        {
            throw new TemplateValidationException([new TemplateDiagnostic(name, 1, 1, TemplateDiagnosticSeverity.Error, "a condition is an expression only, without {% %} or {{ }}.")]);
        }

        options ??= new TemplateOptions();

        // A filter chain is not allowed inside {% if %}: assign it first, then compare. "a | f: x | size > 0" becomes
        // {% assign __c = a | f: x | size %}{% if __c > 0 %}.
        var source = BuildSource(expression);
        var diagnostics = new List<TemplateDiagnostic>();
        var (engine, template) = TemplateCompiler.CompileOne(new TemplateSource(name, source), options, filterProviders, diagnostics);
        if (template is null || diagnostics.Any(d => d.Severity == TemplateDiagnosticSeverity.Error))
        {
            throw new TemplateValidationException(diagnostics);
        }

        return new LiquidCondition(expression, engine, template);
    }

    /// <summary>True when the condition holds for <paramref name="model"/>; throws <see cref="TemplateRenderException"/> on a failing filter or a limit.</summary>
    public bool Evaluate(TemplateModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var settings = _engine.Settings(model.Locale, model.TimeZone);
        return _engine.Render(_template, ModelValues.Root(model.Root, settings.Zone), settings, html: false) == "true";
    }

    private static string BuildSource(string expression)
    {
        var pipe = expression.IndexOf('|', StringComparison.Ordinal);
        if (pipe < 0)
        {
            return "{% if " + expression + " %}true{% endif %}";
        }

        string[] operators = ["==", "!=", ">=", "<=", ">", "<", " contains "];
        var tail = expression[pipe..];
        var best = -1;
        var op = string.Empty;
        foreach (var candidate in operators)
        {
            var index = tail.LastIndexOf(candidate, StringComparison.Ordinal);
            if (index > best && !InQuotes(tail, index))
            {
                best = index;
                op = candidate;
            }
        }

        if (best < 0)
        {
            return "{% assign loyalty_condition_value = " + expression + " %}{% if loyalty_condition_value %}true{% endif %}";
        }

        var left = expression[..(pipe + best)];
        var right = tail[(best + op.Length)..];
        return "{% assign loyalty_condition_value = " + left + " %}{% if loyalty_condition_value " + op.Trim() + " " + right + " %}true{% endif %}";
    }

    private static bool InQuotes(string text, int index) => text[..index].Count(c => c is '"' or '\'') % 2 == 1;
}
