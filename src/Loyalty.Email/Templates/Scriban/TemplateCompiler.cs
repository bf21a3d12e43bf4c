using System.Text.RegularExpressions;
using Scriban;
using Scriban.Parsing;

namespace Loyalty.Email.Templates.Scriban;

/// <summary>Parses every template once and checks it: syntax, unknown variables and filters, refused tags, marketing rules.</summary>
internal static partial class TemplateCompiler
{
    private static readonly Dictionary<string, string> RefusedTags = new(StringComparer.Ordinal)
    {
        ["tablerow"] = "write a {% for %} loop inside an HTML <table>",
        ["layout"] = "set \"layout\" in template.json",
        ["section"] = "write {% include 'name' %} with a partial in _partials",
        ["form"] = "link to a page of the shop instead; e-mail clients do not submit forms",
        ["paginate"] = "use {% for item in list limit: n %}",
        ["javascript"] = "remove it; e-mail clients do not run scripts",
        ["stylesheet"] = "write a <style> block or inline styles",
        ["style"] = "write a <style> block or inline styles",
        ["schema"] = "remove it; template settings go in template.json",
    };

    [GeneratedRegex(@"\{%-?\s*([A-Za-z_]+)", RegexOptions.None, matchTimeoutMilliseconds: 1000)]
    private static partial Regex TagName();

    [GeneratedRegex(@"\{%-?\s*(?:include|render)\s+['""]([^'""]+)['""]", RegexOptions.None, matchTimeoutMilliseconds: 1000)]
    private static partial Regex IncludeName();

    /// <summary>Liquid that Scriban would parse but render differently from Ruby Liquid: refused, with what to write instead.</summary>
    private static readonly (Regex Pattern, string Message)[] RefusedSyntax =
    [
        (new Regex(@"\bforloop\.(parentloop|name)\b", RegexOptions.None, TimeSpan.FromSeconds(1)), "'forloop.parentloop' and 'forloop.name' are not supported: {% assign %} the outer loop's value to a variable before the inner loop."),
    ];

    public static CompiledTemplates Compile(TemplateCatalog catalog, LiquidEngine engine, TemplateOptions options)
    {
        var diagnostics = new List<TemplateDiagnostic>();
        Template? Parse(TemplateSource? source) => source is null ? null : ParseChecked(source, engine, options, diagnostics);

        // A partial also sees what include and render tags pass it (keyword arguments, "as" aliases, its own name).
        var passed = PassedNames(catalog);
        var partials = new Dictionary<string, Template>(StringComparer.Ordinal);
        foreach (var (name, source) in catalog.Partials)
        {
            if (ParseChecked(source, engine, options, diagnostics, passed) is { } parsed)
            {
                partials[name] = parsed;
            }
        }

        var layouts = new Dictionary<string, Template>(StringComparer.Ordinal);
        foreach (var (name, source) in catalog.Layouts)
        {
            if (Parse(source) is { } parsed)
            {
                layouts[name] = parsed;
            }
        }

        var allLocales = catalog.Templates.Values.SelectMany(t => t.Locales.Keys).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var templates = new Dictionary<string, CompiledTemplate>(StringComparer.OrdinalIgnoreCase);
        foreach (var set in catalog.Templates.Values)
        {
            var first = set.Locales.Values.Select(l => l.Html ?? l.Subject).FirstOrDefault(s => s is not null)?.File ?? set.Name;
            Template? layout = null;
            if (set.Layout is not null && !layouts.TryGetValue(set.Layout, out layout))
            {
                if (catalog.Layouts.ContainsKey(set.Layout))
                {
                    continue; // its syntax error is already reported
                }

                diagnostics.Add(new(first, 0, 0, TemplateDiagnosticSeverity.Error, $"layout '{set.Layout}' not found in _layouts (template '{set.Name}')."));
                continue;
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
                    var footerLine = FooterLine(sources.Html.Text);
                    var reachable = string.Join("\n", ReachableSources(sources.Html, set.Layout is null ? null : catalog.Layouts.GetValueOrDefault(set.Layout), catalog));
                    if (!reachable.Contains("links.unsubscribe", StringComparison.Ordinal))
                    {
                        diagnostics.Add(new(sources.Html.File, footerLine, 1, TemplateDiagnosticSeverity.Error, "marketing template without an unsubscribe link: add <a href=\"{{ links.unsubscribe }}\"> (in the body, the layout or an included footer)."));
                    }

                    if (!reachable.Contains("shop.postal_address", StringComparison.Ordinal))
                    {
                        diagnostics.Add(new(sources.Html.File, footerLine, 1, TemplateDiagnosticSeverity.Error, "marketing template without the shop's postal address: add {{ shop.postal_address }} (in the body, the layout or an included footer)."));
                    }
                }

                var subject = Parse(sources.Subject);
                var html = Parse(sources.Html);
                var text = Parse(sources.Text);
                var preheader = Parse(sources.Preheader);
                if (subject is not null && html is not null)
                {
                    locales[locale] = new CompiledParts(subject, html, text, preheader);
                }
            }

            templates[set.Name] = new CompiledTemplate(set.Name, set.Category, layout, locales);
        }

        var ordered = diagnostics.OrderByDescending(d => d.Severity).ThenBy(d => d.File, StringComparer.Ordinal).ThenBy(d => d.Line).ToList();
        return new CompiledTemplates(templates, partials, ordered);
    }

    /// <summary>Parses and checks one source; reports problems and returns null when it has syntax errors.</summary>
    public static Template? ParseChecked(TemplateSource source, LiquidEngine engine, TemplateOptions options, List<TemplateDiagnostic> diagnostics, IEnumerable<string>? passedNames = null)
    {
        var refused = false;
        foreach (Match match in TagName().Matches(source.Text))
        {
            if (RefusedTags.TryGetValue(match.Groups[1].Value, out var instead))
            {
                var (line, column) = Position(source.Text, match.Index);
                diagnostics.Add(new(source.File, line, column, TemplateDiagnosticSeverity.Error, $"the {{% {match.Groups[1].Value} %}} tag is not supported: {instead}."));
                refused = true;
            }
        }

        foreach (var (pattern, message) in RefusedSyntax)
        {
            if (pattern.Match(source.Text) is { Success: true } match)
            {
                var (line, column) = Position(source.Text, match.Index);
                diagnostics.Add(new(source.File, line, column, TemplateDiagnosticSeverity.Error, message));
                refused = true;
            }
        }

        var template = LiquidEngine.Parse(source.Text, source.File, out var liquidError);
        if (liquidError is not null)
        {
            diagnostics.Add(new(source.File, Math.Max(1, liquidError.Line), 1, TemplateDiagnosticSeverity.Error, liquidError.Message));
            return null;
        }

        if (template.HasErrors)
        {
            foreach (var message in template.Messages.Where(m => m.Type == ParserMessageType.Error))
            {
                diagnostics.Add(new(source.File, message.Span.Start.Line + 1, message.Span.Start.Column + 1, TemplateDiagnosticSeverity.Error, message.Message));
            }

            return null;
        }

        foreach (var (name, node, isFilter) in TemplateAnalyzer.UnknownNames(template, engine.FilterNames, options.AdditionalModelRoots.Concat(passedNames ?? [])))
        {
            if (isFilter && refused && RefusedTags.ContainsKey(name))
            {
                continue;
            }

            var severity = isFilter || options.UnknownVariablesAreErrors ? TemplateDiagnosticSeverity.Error : TemplateDiagnosticSeverity.Warning;
            var message = isFilter
                ? $"unknown filter or tag '{name}'."
                : $"unknown variable '{name}': a template sees {string.Join(", ", TemplateAnalyzer.KnownRoots.Concat(options.AdditionalModelRoots))} and what it assigns.";
            diagnostics.Add(new(source.File, node.Span.Start.Line + 1, node.Span.Start.Column + 1, severity, message));
        }

        return refused ? null : template;
    }

    [GeneratedRegex(@"\{%-?\s*(?:include|render)\s+['""]([^'""]+)['""]([^%]*)%\}", RegexOptions.None, matchTimeoutMilliseconds: 1000)]
    private static partial Regex PartialTag();

    [GeneratedRegex(@"(?:\bas\s+(\w+))|(?:(\w+)\s*:)", RegexOptions.None, matchTimeoutMilliseconds: 1000)]
    private static partial Regex PassedName();

    private static HashSet<string> PassedNames(TemplateCatalog catalog)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        var sources = catalog.Partials.Values.Concat(catalog.Layouts.Values)
            .Concat(catalog.Templates.Values.SelectMany(t => t.Locales.Values).SelectMany(l => new[] { l.Subject, l.Html, l.Text, l.Preheader }))
            .OfType<TemplateSource>();
        foreach (var source in sources)
        {
            foreach (Match tag in PartialTag().Matches(source.Text))
            {
                names.Add(tag.Groups[1].Value);
                foreach (Match name in PassedName().Matches(tag.Groups[2].Value))
                {
                    names.Add(name.Groups[1].Success ? name.Groups[1].Value : name.Groups[2].Value);
                }
            }
        }

        return names;
    }

    private static IEnumerable<string> ReachableSources(TemplateSource html, TemplateSource? layout, TemplateCatalog catalog)
    {
        var queue = new Queue<TemplateSource>([html]);
        if (layout is not null)
        {
            queue.Enqueue(layout);
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        while (queue.Count > 0)
        {
            var source = queue.Dequeue();
            yield return source.Text;
            foreach (Match match in IncludeName().Matches(source.Text))
            {
                var name = match.Groups[1].Value;
                if (seen.Add(name) && catalog.Partials.TryGetValue(name, out var partial))
                {
                    queue.Enqueue(partial);
                }
            }
        }
    }

    /// <summary>Where a missing footer belongs: the line of the closing body tag, else the body's last line.</summary>
    internal static int FooterLine(string html)
    {
        var index = html.LastIndexOf("</body", StringComparison.OrdinalIgnoreCase);
        return index >= 0 ? Position(html, index).Line : Position(html, html.TrimEnd().Length).Line;
    }

    private static (int Line, int Column) Position(string text, int index)
    {
        var line = 1;
        var lineStart = 0;
        for (var i = 0; i < index; i++)
        {
            if (text[i] == '\n')
            {
                line++;
                lineStart = i + 1;
            }
        }

        return (line, index - lineStart + 1);
    }
}
