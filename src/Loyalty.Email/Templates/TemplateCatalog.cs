using System.Text.Json;

namespace Loyalty.Email.Templates;

/// <summary>One template file's text and where it came from (for diagnostics).</summary>
internal sealed record TemplateSource(string File, string Text);

/// <summary>The parts of one template in one locale.</summary>
internal sealed record TemplateLocaleSources(TemplateSource? Subject, TemplateSource? Html, TemplateSource? Text, TemplateSource? Preheader);

/// <summary>A named template: its category, layout and per-locale parts.</summary>
internal sealed record TemplateSetSource(string Name, string Category, string? Layout, IReadOnlyDictionary<string, TemplateLocaleSources> Locales);

/// <summary>
/// Loads template sources: shipped defaults (embedded in Loyalty.Email) first, then the integrators' directory, where a
/// template, layout or partial of the same name wins. Engine-neutral: holds text only.
/// </summary>
internal sealed record TemplateCatalog(
    IReadOnlyDictionary<string, TemplateSetSource> Templates,
    IReadOnlyDictionary<string, TemplateSource> Layouts,
    IReadOnlyDictionary<string, TemplateSource> Partials)
{
    public const string DefaultLocale = "default";
    private const string EmbeddedPrefix = "LoyaltyTemplates/";

    /// <summary>zh-TW → zh-TW, zh, default; th-TH → th-TH, th, default.</summary>
    public static IEnumerable<string> LocaleChain(string? locale)
    {
        var current = (locale ?? string.Empty).Trim().Replace('_', '-');
        while (current.Length > 0)
        {
            yield return current;
            var dash = current.LastIndexOf('-');
            current = dash > 0 ? current[..dash] : string.Empty;
        }

        yield return DefaultLocale;
    }

    public static TemplateCatalog Load(TemplateOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var files = (options.IncludeShippedDefaults ? ReadEmbedded(options.ShippedTemplateAssemblies) : [])
            .GroupBy(f => f.Path, StringComparer.OrdinalIgnoreCase).ToDictionary(g => g.Key, g => g.Last().Source, StringComparer.OrdinalIgnoreCase);

        if (!string.IsNullOrWhiteSpace(options.TemplatesPath))
        {
            var root = Path.GetFullPath(options.TemplatesPath);
            if (!Directory.Exists(root))
            {
                throw new TemplateValidationException([new TemplateDiagnostic(root, 0, 0, TemplateDiagnosticSeverity.Error, "Templates directory does not exist.")]);
            }

            var directoryFiles = Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories)
                .Where(f => f.EndsWith(".liquid", StringComparison.OrdinalIgnoreCase) || f.EndsWith("template.json", StringComparison.OrdinalIgnoreCase))
                .Select(f => (Relative: Path.GetRelativePath(root, f).Replace('\\', '/'), Full: f))
                .ToList();

            // A directory template replaces the shipped one of the same name entirely (all locales).
            foreach (var name in directoryFiles.Select(f => f.Relative.Split('/')[0]).Where(n => !n.StartsWith('_')).Distinct(StringComparer.OrdinalIgnoreCase))
            {
                foreach (var key in files.Keys.Where(k => k.StartsWith(name + "/", StringComparison.OrdinalIgnoreCase)).ToList())
                {
                    files.Remove(key);
                }
            }

            foreach (var (relative, full) in directoryFiles)
            {
                files[relative] = new TemplateSource(relative, File.ReadAllText(full));
            }
        }

        var layouts = new Dictionary<string, TemplateSource>(StringComparer.Ordinal);
        var partials = new Dictionary<string, TemplateSource>(StringComparer.Ordinal);
        var settings = new Dictionary<string, (string Category, string? Layout)>(StringComparer.OrdinalIgnoreCase);
        var parts = new Dictionary<string, Dictionary<string, Dictionary<string, TemplateSource>>>(StringComparer.OrdinalIgnoreCase);
        foreach (var (path, source) in files)
        {
            var segments = path.Split('/');
            var kind = segments.Length == 2 ? segments[0] : null;
            if (kind is "_layouts" or "_partials")
            {
                (kind == "_layouts" ? layouts : partials)[Path.GetFileNameWithoutExtension(segments[1])] = source;
                continue;
            }

            if (segments.Length is not (2 or 3) || segments[0].StartsWith('_'))
            {
                continue;
            }

            var locales = parts.TryGetValue(segments[0], out var found) ? found : parts[segments[0]] = new(StringComparer.OrdinalIgnoreCase);
            if (segments.Length == 2 && segments[1].Equals("template.json", StringComparison.OrdinalIgnoreCase))
            {
                settings[segments[0]] = ReadSettings(source);
            }
            else if (segments.Length == 3)
            {
                var localeFiles = locales.TryGetValue(segments[1], out var existing) ? existing : locales[segments[1]] = new(StringComparer.OrdinalIgnoreCase);
                localeFiles[Path.GetFileNameWithoutExtension(segments[2])] = source;
            }
        }

        var templates = parts.ToDictionary(
            t => t.Key,
            t =>
            {
                var (category, layout) = settings.GetValueOrDefault(t.Key, ("transactional", "default"));
                var locales = t.Value.ToDictionary(
                    l => l.Key,
                    l => new TemplateLocaleSources(l.Value.GetValueOrDefault("subject"), l.Value.GetValueOrDefault("html"), l.Value.GetValueOrDefault("text"), l.Value.GetValueOrDefault("preheader")),
                    StringComparer.OrdinalIgnoreCase);
                return new TemplateSetSource(t.Key, category, layout, locales);
            },
            StringComparer.OrdinalIgnoreCase);
        return new TemplateCatalog(templates, layouts, partials);
    }

    private static (string Category, string? Layout) ReadSettings(TemplateSource source)
    {
        try
        {
            using var json = JsonDocument.Parse(source.Text);
            var category = json.RootElement.TryGetProperty("category", out var c) ? c.GetString() ?? "transactional" : "transactional";
            if (category is not ("marketing" or "transactional"))
            {
                throw new TemplateValidationException([new TemplateDiagnostic(source.File, 0, 0, TemplateDiagnosticSeverity.Error, $"category must be \"marketing\" or \"transactional\", not \"{category}\".")]);
            }

            string? layout = "default";
            if (json.RootElement.TryGetProperty("layout", out var l))
            {
                layout = l.ValueKind == JsonValueKind.Null ? null : l.GetString();
            }

            return (category, layout);
        }
        catch (JsonException ex)
        {
            throw new TemplateValidationException([new TemplateDiagnostic(source.File, (int)(ex.LineNumber ?? 0) + 1, (int)(ex.BytePositionInLine ?? 0) + 1, TemplateDiagnosticSeverity.Error, "template.json is not valid JSON: " + ex.Message)]);
        }
    }

    private static IEnumerable<(string Path, TemplateSource Source)> ReadEmbedded(IEnumerable<System.Reflection.Assembly> packages)
    {
        foreach (var assembly in new[] { typeof(TemplateCatalog).Assembly }.Concat(packages).Distinct())
        foreach (var resource in assembly.GetManifestResourceNames().Where(n => n.StartsWith(EmbeddedPrefix, StringComparison.Ordinal)))
        {
            using var stream = assembly.GetManifestResourceStream(resource)!;
            using var reader = new StreamReader(stream);
            var path = resource[EmbeddedPrefix.Length..].Replace('\\', '/');
            yield return (path, new TemplateSource("embedded:" + path, reader.ReadToEnd()));
        }
    }
}
