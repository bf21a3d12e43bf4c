using Fluid;

namespace Loyalty.Email.Templates.Liquid;

/// <summary>
/// Parses every template of a catalog once and checks it: syntax, unknown variables, members, filters and partials,
/// refused tags, locales, and that marketing mail reaches the unsubscribe link and the shop's postal address.
/// </summary>
internal static class TemplateCompiler
{
    public static CompiledTemplates Compile(TemplateCatalog catalog, TemplateOptions options, IEnumerable<ILiquidFilterProvider>? providers, TimeProvider? clock)
    {
        var diagnostics = new List<TemplateDiagnostic>();
        var sources = catalog.Layouts.Values
            .Concat(catalog.Templates.Values.SelectMany(t => t.Locales.Values).SelectMany(l => new[] { l.Subject, l.Html, l.Text, l.Preheader }))
            .OfType<TemplateSource>();
        var (engine, parsed) = ParseAndCheck(catalog.Partials, sources, options, providers, clock, diagnostics);
        LiquidTemplate? Final(TemplateSource? source) => source is not null && parsed.TryGetValue(source, out var p) ? p.Final : null;

        var facts = parsed.ToDictionary(p => p.Key, p => p.Value.Facts);
        var templates = new Dictionary<string, CompiledTemplate>(StringComparer.OrdinalIgnoreCase);
        var allLocales = catalog.Templates.Values.SelectMany(t => t.Locales.Keys).ToHashSet(StringComparer.OrdinalIgnoreCase);
        foreach (var set in catalog.Templates.Values)
        {
            var first = set.Locales.Values.Select(l => l.Html ?? l.Subject).FirstOrDefault(s => s is not null)?.File ?? set.Name;
            TemplateSource? layout = null;
            if (set.Layout is not null && !catalog.Layouts.TryGetValue(set.Layout, out layout))
            {
                diagnostics.Add(new(first, 0, 0, TemplateDiagnosticSeverity.Error, $"layout '{set.Layout}' not found in _layouts (template '{set.Name}')."));
                continue;
            }

            if (!set.Locales.ContainsKey(TemplateCatalog.DefaultLocale))
            {
                diagnostics.Add(new(first, 0, 0, TemplateDiagnosticSeverity.Error, $"template '{set.Name}' has no '{TemplateCatalog.DefaultLocale}' locale folder to fall back to."));
            }

            diagnostics.AddRange(allLocales.Where(l => !set.Locales.ContainsKey(l)).Select(missing =>
                new TemplateDiagnostic(first, 0, 0, TemplateDiagnosticSeverity.Warning, $"template '{set.Name}' has no '{missing}' locale; those customers get the fallback.")));
            var locales = new Dictionary<string, CompiledParts>(StringComparer.OrdinalIgnoreCase);
            foreach (var (locale, parts) in set.Locales)
            {
                if (parts.Subject is null || parts.Html is null)
                {
                    diagnostics.Add(new(parts.Html?.File ?? parts.Subject?.File ?? set.Name + "/" + locale, 0, 0, TemplateDiagnosticSeverity.Error,
                        $"template '{set.Name}' locale '{locale}' needs both subject.liquid and html.liquid."));
                    continue;
                }

                if (set.Category == "marketing")
                {
                    MarketingRules.Check(parts.Html, layout, catalog.Partials, facts, diagnostics);
                }

                if (Final(parts.Subject) is { } subject && Final(parts.Html) is { } html)
                {
                    locales[locale] = new CompiledParts(subject, html, Final(parts.Text), Final(parts.Preheader));
                }
            }

            templates[set.Name] = new CompiledTemplate(set.Name, set.Category, Final(layout), locales);
        }

        var ordered = diagnostics.Distinct().OrderByDescending(d => d.Severity).ThenBy(d => d.File, StringComparer.Ordinal).ThenBy(d => d.Line).ThenBy(d => d.Column).ToList();
        return new CompiledTemplates(engine, templates, ordered);
    }

    /// <summary>Parses and checks one template with its partials (a flow condition, a test case): no layout, no locales.</summary>
    public static (LiquidEngine Engine, LiquidTemplate? Template) CompileOne(TemplateSource source, TemplateOptions options, IEnumerable<ILiquidFilterProvider>? providers, List<TemplateDiagnostic> diagnostics, IReadOnlyDictionary<string, string>? partials = null)
    {
        var partialSources = (partials ?? new Dictionary<string, string>()).ToDictionary(p => p.Key, p => new TemplateSource(p.Key, p.Value), StringComparer.Ordinal);
        var (engine, parsed) = ParseAndCheck(partialSources, [source], options, providers, clock: null, diagnostics);
        return (engine, parsed.TryGetValue(source, out var p) ? p.Final : null);
    }

    /// <summary>
    /// Parses <paramref name="partials"/> and <paramref name="sources"/> and checks each against what it may name; the
    /// engine returned renders the parsed partials. A source with a syntax error is reported and left out.
    /// </summary>
    private static (LiquidEngine Engine, Dictionary<TemplateSource, (TemplateFacts Facts, LiquidTemplate Final)> Parsed) ParseAndCheck(
        IReadOnlyDictionary<string, TemplateSource> partials, IEnumerable<TemplateSource> sources, TemplateOptions options,
        IEnumerable<ILiquidFilterProvider>? providers, TimeProvider? clock, List<TemplateDiagnostic> diagnostics)
    {
        var parsedPartials = new Dictionary<string, IFluidTemplate>(StringComparer.Ordinal);
        var engine = new LiquidEngine(options, providers, clock, new PartialTemplates(parsedPartials)); // filled below, before any render
        var trees = new Dictionary<TemplateSource, (IFluidTemplate Template, TemplateFacts Facts)>();
        foreach (var source in partials.Values.Concat(sources).Distinct())
        {
            if (LiquidParser.Parse(source, diagnostics) is { } template)
            {
                trees[source] = (template, TemplateFacts.Of(template));
            }
        }

        // A partial also sees what include and render tags pass it, and (include) the names its includers define.
        var given = partials.Keys.ToDictionary(k => k, _ => new HashSet<string>(options.AdditionalModelRoots, StringComparer.Ordinal), StringComparer.Ordinal);
        foreach (var (_, facts) in trees.Values)
        {
            foreach (var use in facts.Partials.Where(u => given.ContainsKey(u.Name)))
            {
                given[use.Name].UnionWith(use.IsInclude ? use.Passed.Concat(facts.Definitions.Keys) : use.Passed);
            }
        }

        var open = options.AdditionalModelRoots.ToHashSet(StringComparer.Ordinal);
        var partialNames = partials.Keys.ToHashSet(StringComparer.Ordinal);
        var result = new Dictionary<TemplateSource, (TemplateFacts Facts, LiquidTemplate Final)>();
        foreach (var (source, (template, facts)) in trees)
        {
            var partialName = partials.FirstOrDefault(p => ReferenceEquals(p.Value, source)).Key;
            var scope = new TemplateScope(options.Model, partialName is null ? open : given[partialName], engine.FilterNames, partialNames, options.UnknownVariablesAreErrors);
            TemplateAnalyzer.Check(source, template, facts, scope, diagnostics);
            result[source] = (facts, new LiquidTemplate(source.File, AmountComparisons.Apply(template)));
            if (partialName is not null)
            {
                parsedPartials[partialName] = result[source].Final.Parsed;
            }
        }

        return (engine, result);
    }
}

/// <summary>Everything parsed at start-up, the engine that renders it, and what validation found.</summary>
internal sealed record CompiledTemplates(LiquidEngine Engine, IReadOnlyDictionary<string, CompiledTemplate> Templates, IReadOnlyList<TemplateDiagnostic> Diagnostics);

/// <summary>The parsed form of a named template.</summary>
internal sealed record CompiledTemplate(string Name, string Category, LiquidTemplate? Layout, IReadOnlyDictionary<string, CompiledParts> Locales);

/// <summary>The parsed form of one template in one locale.</summary>
internal sealed record CompiledParts(LiquidTemplate Subject, LiquidTemplate Html, LiquidTemplate? Text, LiquidTemplate? Preheader);
