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
        var partials = new Dictionary<string, IFluidTemplate>(StringComparer.Ordinal);

        // The engine's partials are this dictionary, filled below before anything renders.
        var engine = new LiquidEngine(options, providers, clock, new PartialTemplates(partials));
        var parts = catalog.Partials.Values.Concat(catalog.Layouts.Values)
            .Concat(catalog.Templates.Values.SelectMany(t => t.Locales.Values).SelectMany(l => new[] { l.Subject, l.Html, l.Text, l.Preheader }))
            .OfType<TemplateSource>().Distinct().ToList();
        var parsed = new Dictionary<TemplateSource, (IFluidTemplate Template, TemplateFacts Facts)>();
        foreach (var source in parts)
        {
            if (LiquidParser.Parse(source, diagnostics) is { } template)
            {
                parsed[source] = (template, TemplateFacts.Of(template));
            }
        }

        // A partial also sees what include and render tags pass it, and (include) the names its includers define.
        var given = catalog.Partials.Keys.ToDictionary(k => k, _ => new HashSet<string>(StringComparer.Ordinal), StringComparer.Ordinal);
        foreach (var (_, facts) in parsed.Values)
        {
            foreach (var use in facts.Partials.Where(u => given.ContainsKey(u.Name)))
            {
                given[use.Name].UnionWith(use.Passed);
                if (use.IsInclude)
                {
                    given[use.Name].UnionWith(facts.Definitions.Keys);
                }
            }
        }

        var partialNames = catalog.Partials.Keys.ToHashSet(StringComparer.Ordinal);
        var open = options.AdditionalModelRoots.ToHashSet(StringComparer.Ordinal);
        foreach (var (source, (template, facts)) in parsed)
        {
            var partialName = catalog.Partials.FirstOrDefault(p => ReferenceEquals(p.Value, source)).Key;
            var names = partialName is null ? open : open.Concat(given[partialName]).ToHashSet(StringComparer.Ordinal);
            TemplateAnalyzer.Check(source, template, facts, new TemplateScope(options.Model, names, engine.FilterNames, partialNames, options.UnknownVariablesAreErrors), diagnostics);
        }

        LiquidTemplate? Final(TemplateSource? source) =>
            source is not null && parsed.TryGetValue(source, out var p) ? new LiquidTemplate(source.File, AmountComparisons.Apply(p.Template)) : null;

        foreach (var (name, source) in catalog.Partials)
        {
            if (Final(source) is { } partial)
            {
                partials[name] = partial.Parsed;
            }
        }

        var templates = new Dictionary<string, CompiledTemplate>(StringComparer.OrdinalIgnoreCase);
        var allLocales = catalog.Templates.Values.SelectMany(t => t.Locales.Keys).ToHashSet(StringComparer.OrdinalIgnoreCase);
        foreach (var set in catalog.Templates.Values)
        {
            if (CompileSet(set, catalog, parsed, allLocales, diagnostics, Final) is { } compiled)
            {
                templates[set.Name] = compiled;
            }
        }

        var ordered = diagnostics.Distinct().OrderByDescending(d => d.Severity).ThenBy(d => d.File, StringComparer.Ordinal).ThenBy(d => d.Line).ThenBy(d => d.Column).ToList();
        return new CompiledTemplates(engine, templates, ordered);
    }

    /// <summary>Parses and checks one template alone (a flow condition, a snippet): no partials, no layout.</summary>
    public static (LiquidEngine Engine, LiquidTemplate? Template) CompileOne(TemplateSource source, TemplateOptions options, IEnumerable<ILiquidFilterProvider>? providers, List<TemplateDiagnostic> diagnostics, IReadOnlyDictionary<string, string>? partialTexts = null)
    {
        var catalogPartials = (partialTexts ?? new Dictionary<string, string>()).ToDictionary(p => p.Key, p => new TemplateSource(p.Key, p.Value), StringComparer.Ordinal);
        var partials = new Dictionary<string, IFluidTemplate>(StringComparer.Ordinal);
        var engine = new LiquidEngine(options, providers, partials: new PartialTemplates(partials));
        var open = options.AdditionalModelRoots.ToHashSet(StringComparer.Ordinal);
        LiquidTemplate? Checked(TemplateSource s, IReadOnlySet<string> names)
        {
            if (LiquidParser.Parse(s, diagnostics) is not { } template)
            {
                return null;
            }

            TemplateAnalyzer.Check(s, template, TemplateFacts.Of(template), new TemplateScope(options.Model, names, engine.FilterNames, catalogPartials.Keys.ToHashSet(StringComparer.Ordinal), options.UnknownVariablesAreErrors), diagnostics);
            return new LiquidTemplate(s.File, AmountComparisons.Apply(template));
        }

        var main = Checked(source, open);
        foreach (var (name, partial) in catalogPartials)
        {
            if (Checked(partial, open) is { } checkedPartial)
            {
                partials[name] = checkedPartial.Parsed;
            }
        }

        return (engine, main);
    }

    private static CompiledTemplate? CompileSet(
        TemplateSetSource set,
        TemplateCatalog catalog,
        Dictionary<TemplateSource, (IFluidTemplate Template, TemplateFacts Facts)> parsed,
        HashSet<string> allLocales,
        List<TemplateDiagnostic> diagnostics,
        Func<TemplateSource?, LiquidTemplate?> final)
    {
        var first = set.Locales.Values.Select(l => l.Html ?? l.Subject).FirstOrDefault(s => s is not null)?.File ?? set.Name;
        TemplateSource? layoutSource = null;
        if (set.Layout is not null && !catalog.Layouts.TryGetValue(set.Layout, out layoutSource))
        {
            diagnostics.Add(new(first, 0, 0, TemplateDiagnosticSeverity.Error, $"layout '{set.Layout}' not found in _layouts (template '{set.Name}')."));
            return null;
        }

        if (!set.Locales.ContainsKey(TemplateCatalog.DefaultLocale))
        {
            diagnostics.Add(new(first, 0, 0, TemplateDiagnosticSeverity.Error, $"template '{set.Name}' has no '{TemplateCatalog.DefaultLocale}' locale folder to fall back to."));
        }

        foreach (var missing in allLocales.Where(l => !set.Locales.ContainsKey(l)))
        {
            diagnostics.Add(new(first, 0, 0, TemplateDiagnosticSeverity.Warning, $"template '{set.Name}' has no '{missing}' locale; those customers get the fallback."));
        }

        var locales = new Dictionary<string, CompiledParts>(StringComparer.OrdinalIgnoreCase);
        foreach (var (locale, sources) in set.Locales)
        {
            if (sources.Subject is null || sources.Html is null)
            {
                diagnostics.Add(new(sources.Html?.File ?? sources.Subject?.File ?? set.Name + "/" + locale, 0, 0, TemplateDiagnosticSeverity.Error,
                    $"template '{set.Name}' locale '{locale}' needs both subject.liquid and html.liquid."));
                continue;
            }

            if (set.Category == "marketing")
            {
                MarketingRules.Check(sources.Html, layoutSource, catalog, parsed, diagnostics);
            }

            if (final(sources.Subject) is { } subject && final(sources.Html) is { } html)
            {
                locales[locale] = new CompiledParts(subject, html, final(sources.Text), final(sources.Preheader));
            }
        }

        return new CompiledTemplate(set.Name, set.Category, layoutSource is null ? null : final(layoutSource), locales);
    }
}

/// <summary>Everything parsed at start-up, the engine that renders it, and what validation found.</summary>
internal sealed record CompiledTemplates(LiquidEngine Engine, IReadOnlyDictionary<string, CompiledTemplate> Templates, IReadOnlyList<TemplateDiagnostic> Diagnostics);

/// <summary>The parsed form of a named template.</summary>
internal sealed record CompiledTemplate(string Name, string Category, LiquidTemplate? Layout, IReadOnlyDictionary<string, CompiledParts> Locales);

/// <summary>The parsed form of one template in one locale.</summary>
internal sealed record CompiledParts(LiquidTemplate Subject, LiquidTemplate Html, LiquidTemplate? Text, LiquidTemplate? Preheader);
