using System.Globalization;
using BenchmarkDotNet.Attributes;
using Loyalty.Benchmarks.Shared;
using Loyalty.Email.Composition;
using Loyalty.Email.Templates;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using MimeKit;
using Scriban;
using Scriban.Runtime;

namespace Loyalty.Benchmarks;

/// <summary>
/// Stage 1, Compose: one realistic marketing e-mail (subject, HTML in a layout with three partials, text; MIME message
/// built), three ways. Every method returns the finished <see cref="MimeMessage"/>.
/// </summary>
[MemoryDiagnoser]
public class ComposeBenchmarks
{
    private ServiceProvider _services = null!;
    private IEmailTemplateRenderer _cached = null!;
    private Type _rendererType = null!;
    private IOptions<TemplateOptions> _templateOptions = null!;
    private IEnumerable<ILiquidFilterProvider> _filterProviders = null!;
    private TemplateModel _model = null!;
    private Envelope _envelope = null!;
    private BareScriban _bare = null!;

    /// <summary>Builds the shop's services once (templates parsed and validated once, as at host start-up).</summary>
    [GlobalSetup]
    public void Setup()
    {
        _services = BenchEmail.BuildEmailServices();
        _cached = _services.GetRequiredService<IEmailTemplateRenderer>();
        _rendererType = _cached.GetType();
        _templateOptions = _services.GetRequiredService<IOptions<TemplateOptions>>();
        _filterProviders = _services.GetServices<ILiquidFilterProvider>().ToList();
        _model = BenchEmail.Model(42);
        _envelope = BenchEmail.Envelope(42);
        _bare = new BareScriban(BenchEmail.TemplatesDirectory);
    }

    /// <summary>Releases the services.</summary>
    [GlobalCleanup]
    public void Cleanup() => _services.Dispose();

    /// <summary>Loyalty's path: the renderer built at start-up renders cached parsed templates.</summary>
    [Benchmark(Baseline = true, Description = "Loyalty cached")]
    public MimeMessage LoyaltyCached()
    {
        var content = _cached.Render(BenchEmail.TemplateName, "en", _model);
        return EmailMessageComposer.Compose(content, _envelope);
    }

    /// <summary>
    /// The naive way (FluentEmail's): a fresh renderer per message, so the template catalog is loaded and every
    /// template, layout and partial is parsed (and checked) again for each message.
    /// </summary>
    [Benchmark(Description = "Re-parse per message")]
    public MimeMessage ReparsePerMessage()
    {
        var renderer = (IEmailTemplateRenderer)Activator.CreateInstance(_rendererType, _templateOptions, _filterProviders, TimeProvider.System)!;
        var content = renderer.Render(BenchEmail.TemplateName, "en", _model);
        return EmailMessageComposer.Compose(content, _envelope);
    }

    /// <summary>
    /// The ceiling: Scriban alone rendering the same parsed templates (parsed once), no Loyalty safety layer
    /// (no HTML encoding, no allow-list, no limits), then the same MIME composition.
    /// </summary>
    [Benchmark(Description = "Bare Scriban render")]
    public MimeMessage BareRender()
    {
        var content = _bare.Render(_model);
        return EmailMessageComposer.Compose(content, _envelope);
    }
}

/// <summary>Scriban used directly on the same template files: parsed once, a fresh context per part.</summary>
public sealed class BareScriban
{
    private static readonly CultureInfo Culture = CultureInfo.GetCultureInfo("en-US");
    private static readonly Scriban.Parsing.ParserOptions Parser = new() { ParseFloatAsDecimal = true, LiquidFunctionsToScriban = false };
    private readonly Template _subject;
    private readonly Template _html;
    private readonly Template _text;
    private readonly Template _layout;
    private readonly Dictionary<string, Template> _partials = new(StringComparer.Ordinal);
    private readonly ScriptObject _functions = new();
    private readonly PartialLoader _loader;

    /// <summary>Parses the bench template from <paramref name="root"/>.</summary>
    public BareScriban(string root)
    {
        Template Parse(string path) => Template.ParseLiquid(File.ReadAllText(Path.Combine(root, path)), path, Parser);
        _subject = Parse("order-thanks/default/subject.liquid");
        _html = Parse("order-thanks/default/html.liquid");
        _text = Parse("order-thanks/default/text.liquid");
        _layout = Parse("_layouts/bench.liquid");
        foreach (var file in Directory.GetFiles(Path.Combine(root, "_partials"), "*.liquid"))
        {
            var name = Path.GetFileNameWithoutExtension(file);
            _partials[name] = Template.ParseLiquid(File.ReadAllText(file), name, Parser);
        }

        _functions.Import("money", new Func<object?, string>(Money));
        _functions.Import("upcase", new Func<object?, string>(v => System.Convert.ToString(v, Culture)?.ToUpperInvariant() ?? string.Empty));
        _functions.Import("date", new Func<object?, string, string>(Date));
        _loader = new PartialLoader(_partials);
    }

    /// <summary>Renders subject, HTML (body in layout) and text.</summary>
    public RenderedEmail Render(TemplateModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var script = (ScriptObject)Convert(model.Root)!;
        var subject = RenderPart(_subject, script).Trim();
        var body = RenderPart(_html, script);
        script["content"] = body;
        var html = RenderPart(_layout, script);
        var text = RenderPart(_text, script).Trim();
        return new RenderedEmail(subject, html, text, null);
    }

    private string RenderPart(Template template, ScriptObject model)
    {
        var context = new LiquidTemplateContext { TemplateLoader = _loader };
        foreach (var (name, parsed) in _partials)
        {
            context.CachedTemplates[name] = parsed;
        }

        context.PushGlobal(_functions);
        context.PushGlobal(model);
        return template.Render(context);
    }

    private static string Money(object? value) => value is ScriptObject money && money["amount"] is decimal amount
        ? amount.ToString("N2", Culture) + " " + money["currency"]
        : string.Empty;

    // Strftime's %B %d, %Y, the one format the bench template uses.
    private static string Date(object? value, string format) => value is DateTime date && format == "%B %d, %Y"
        ? date.ToString("MMMM dd, yyyy", Culture)
        : System.Convert.ToString(value, Culture) ?? string.Empty;

    private static object? Convert(object? value) => value switch
    {
        IReadOnlyDictionary<string, object?> map => ToObject(map),
        IEnumerable<object?> list when value is not string => ToArray(list),
        MoneyValue money => new ScriptObject { ["amount"] = money.Amount, ["currency"] = money.Currency },
        DateTimeOffset date => date.UtcDateTime,
        _ => value,
    };

    private static ScriptObject ToObject(IReadOnlyDictionary<string, object?> map)
    {
        var result = new ScriptObject();
        foreach (var (key, item) in map)
        {
            result[key] = Convert(item);
        }

        return result;
    }

    private static ScriptArray ToArray(IEnumerable<object?> list)
    {
        var result = new ScriptArray();
        foreach (var item in list)
        {
            result.Add(Convert(item));
        }

        return result;
    }

    private sealed class PartialLoader(Dictionary<string, Template> partials) : ITemplateLoader
    {
        public string GetPath(TemplateContext context, Scriban.Parsing.SourceSpan callerSpan, string templateName) => templateName;

        public string? Load(TemplateContext context, Scriban.Parsing.SourceSpan callerSpan, string templatePath)
            => partials.ContainsKey(templatePath) ? throw new InvalidOperationException("partials are pre-parsed") : throw new FileNotFoundException(templatePath);

        public ValueTask<string?> LoadAsync(TemplateContext context, Scriban.Parsing.SourceSpan callerSpan, string templatePath) => ValueTask.FromResult(Load(context, callerSpan, templatePath));
    }
}
