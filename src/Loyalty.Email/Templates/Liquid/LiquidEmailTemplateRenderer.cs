using System.Text.RegularExpressions;
using Loyalty.Email.HtmlEmail;
using Microsoft.Extensions.Options;

namespace Loyalty.Email.Templates.Liquid;

/// <summary>
/// <see cref="IEmailTemplateRenderer"/> on Fluid. Every template is parsed and validated once, in the constructor (a
/// broken template stops the host); a render only evaluates cached parsed templates, each part in a fresh context.
/// </summary>
internal sealed partial class LiquidEmailTemplateRenderer : IEmailTemplateRenderer
{
    private readonly CompiledTemplates _compiled;

    public LiquidEmailTemplateRenderer(IOptions<TemplateOptions> options, IEnumerable<ILiquidFilterProvider> providers, TimeProvider clock)
        : this(options?.Value ?? throw new ArgumentNullException(nameof(options)), providers, clock)
    {
    }

    public LiquidEmailTemplateRenderer(TemplateOptions options, IEnumerable<ILiquidFilterProvider>? providers = null, TimeProvider? clock = null)
    {
        _compiled = TemplateCompiler.Compile(TemplateCatalog.Load(options), options, providers, clock);
        if (_compiled.Diagnostics.Any(d => d.Severity == TemplateDiagnosticSeverity.Error))
        {
            throw new TemplateValidationException(_compiled.Diagnostics);
        }
    }

    /// <summary>Warnings found at start-up (errors throw).</summary>
    public IReadOnlyList<TemplateDiagnostic> Diagnostics => _compiled.Diagnostics;

    public bool Exists(string templateName) => templateName is not null && _compiled.Templates.ContainsKey(templateName);

    public RenderedEmail Render(string templateName, string locale, TemplateModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (templateName is null || !_compiled.Templates.TryGetValue(templateName, out var template))
        {
            throw new TemplateRenderException($"No template named '{templateName}'.");
        }

        var parts = TemplateCatalog.LocaleChain(locale).Select(l => template.Locales.GetValueOrDefault(l)).FirstOrDefault(p => p is not null)
            ?? throw new TemplateRenderException($"Template '{templateName}' has no locale '{locale}' and no default.");

        // One read-only view of the model serves every part; each part renders in a context of its own, so nothing
        // one part assigns reaches another.
        var engine = _compiled.Engine;
        var settings = engine.Settings(model.Locale, model.TimeZone);
        var root = ModelValues.Root(model.Root, settings.Zone);
        var body = engine.Render(parts.Html, root, settings, html: true);
        if (template.Layout is not null)
        {
            body = engine.Render(template.Layout, root, settings, html: true, content: body);
        }

        if (CssInliner.Applies(body))
        {
            body = CssInliner.Inline(body);
        }

        var subject = SingleLine(engine.Render(parts.Subject, root, settings, html: false));
        var text = parts.Text is null ? HtmlToText.Convert(body) : engine.Render(parts.Text, root, settings, html: false).Trim();
        var preheader = parts.Preheader is null ? null : SingleLine(engine.Render(parts.Preheader, root, settings, html: false));
        return new RenderedEmail(subject, body, text, preheader);
    }

    // Whitespace, control characters and line or paragraph separators, each run one space.
    [GeneratedRegex(@"[\s\p{Cc}\u2028\u2029]+", RegexOptions.None, matchTimeoutMilliseconds: 1000)]
    private static partial Regex Spacing();

    /// <summary>CR, LF and other control characters removed: a subject is one header line (no header injection).</summary>
    internal static string SingleLine(string value) => Spacing().Replace(value, " ").Trim();
}
