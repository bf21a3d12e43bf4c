using System.Text;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;
using Scriban;
using Scriban.Runtime;

namespace Loyalty.Email.Templates.Scriban;

/// <summary>
/// <see cref="IEmailTemplateRenderer"/> on Scriban's Liquid mode. Every template is parsed and validated once, in the
/// constructor (a broken template stops the host); a render only evaluates cached parsed templates in a fresh context.
/// </summary>
internal sealed partial class ScribanEmailTemplateRenderer : IEmailTemplateRenderer
{
    private readonly LiquidEngine _engine;
    private readonly CompiledTemplates _compiled;

    public ScribanEmailTemplateRenderer(IOptions<TemplateOptions> options, IEnumerable<ILiquidFilterProvider> providers, TimeProvider clock)
        : this(options?.Value ?? throw new ArgumentNullException(nameof(options)), providers, clock)
    {
    }

    public ScribanEmailTemplateRenderer(TemplateOptions options, IEnumerable<ILiquidFilterProvider>? providers = null, TimeProvider? clock = null)
    {
        _engine = new LiquidEngine(options, providers, clock);
        _compiled = TemplateCompiler.Compile(TemplateCatalog.Load(options), _engine, options);
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

        var plain = RenderSettings.For(model.Locale, model.TimeZone, htmlEncode: false);
        var html = plain with { HtmlEncode = true };

        // The model is converted once per render and shared, read-only, by its parts; each part writes its own
        // variables (assign, capture, counters) into a scope of its own, so nothing one part assigns reaches another.
        var scriptModel = ModelConverter.ToScriptObject(model.Root);
        var body = _engine.Render(parts.Html, scriptModel, html, _compiled.Partials);
        if (template.Layout is not null)
        {
            body = _engine.Render(template.Layout, scriptModel, html, _compiled.Partials, trustedContent: body);
        }

        var subject = SingleLine(_engine.Render(parts.Subject, scriptModel, plain, _compiled.Partials));
        var text = parts.Text is null
            ? HtmlToText.Convert(body)
            : _engine.Render(parts.Text, scriptModel, plain, _compiled.Partials).Trim();
        var preheader = parts.Preheader is null
            ? null
            : SingleLine(_engine.Render(parts.Preheader, scriptModel, plain, _compiled.Partials));
        return new RenderedEmail(subject, body, text, preheader);
    }

    [GeneratedRegex(@"\s+", RegexOptions.None, matchTimeoutMilliseconds: 1000)]
    private static partial Regex Whitespace();

    /// <summary>CR, LF and other control characters removed: a subject is one header line (no header injection).</summary>
    internal static string SingleLine(string value)
    {
        var builder = new StringBuilder(value.Length);
        foreach (var c in value)
        {
            builder.Append(char.IsControl(c) || c is '\u2028' or '\u2029' ? ' ' : c);
        }

        return Whitespace().Replace(builder.ToString(), " ").Trim();
    }
}

/// <summary>The parsed form of one template in one locale.</summary>
internal sealed record CompiledParts(Template Subject, Template Html, Template? Text, Template? Preheader);

/// <summary>The parsed form of a named template.</summary>
internal sealed record CompiledTemplate(string Name, string Category, Template? Layout, IReadOnlyDictionary<string, CompiledParts> Locales);

/// <summary>Everything parsed at start-up, with what validation found.</summary>
internal sealed record CompiledTemplates(
    IReadOnlyDictionary<string, CompiledTemplate> Templates,
    IReadOnlyDictionary<string, Template> Partials,
    IReadOnlyList<TemplateDiagnostic> Diagnostics);
