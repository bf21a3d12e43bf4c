using System.Globalization;
using BenchmarkDotNet.Attributes;
using Loyalty.Benchmarks.Shared;
using Loyalty.Email.Composition;
using Loyalty.Email.Templates;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using MimeKit;
using System.Text.Encodings.Web;
using System.Text.Unicode;
using Fluid;
using Fluid.Values;

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
    private IOptions<Loyalty.Email.Templates.TemplateOptions> _templateOptions = null!;
    private IEnumerable<ILiquidFilterProvider> _filterProviders = null!;
    private TemplateModel _model = null!;
    private Envelope _envelope = null!;
    private BareFluid _bare = null!;

    /// <summary>Builds the shop's services once (templates parsed and validated once, as at host start-up).</summary>
    [GlobalSetup]
    public void Setup()
    {
        _services = BenchEmail.BuildEmailServices();
        _cached = _services.GetRequiredService<IEmailTemplateRenderer>();
        _rendererType = _cached.GetType();
        _templateOptions = _services.GetRequiredService<IOptions<Loyalty.Email.Templates.TemplateOptions>>();
        _filterProviders = _services.GetServices<ILiquidFilterProvider>().ToList();
        _model = BenchEmail.Model(42);
        _envelope = BenchEmail.Envelope(42);
        _bare = new BareFluid(BenchEmail.TemplatesDirectory);
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
    /// The same e-mail styled by a <c>&lt;style&gt;</c> block instead of inline styles: what inlining the CSS costs
    /// (compare with <see cref="LoyaltyCached"/>).
    /// </summary>
    [Benchmark(Description = "Loyalty cached, CSS inlined")]
    public MimeMessage LoyaltyCachedStyled()
    {
        var content = _cached.Render("order-styled", "en", _model);
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
    /// The ceiling: Fluid alone rendering the same parsed templates (parsed once), with .NET's HTML encoder and the
    /// same limits, but none of Loyalty's layer (the model as Fluid reads plain dictionaries, no allow-list, no checks
    /// of filter results, a money filter of two lines), then the same MIME composition.
    /// </summary>
    [Benchmark(Description = "Bare Fluid render")]
    public MimeMessage BareRender()
    {
        var content = _bare.Render(_model);
        return EmailMessageComposer.Compose(content, _envelope);
    }
}

/// <summary>Fluid used directly on the same template files: parsed once, a fresh context per part.</summary>
public sealed class BareFluid
{
    private static readonly CultureInfo Culture = CultureInfo.GetCultureInfo("en-US");
    private static readonly HtmlEncoder Html = HtmlEncoder.Create(UnicodeRanges.All);
    private readonly IFluidTemplate _subject;
    private readonly IFluidTemplate _html;
    private readonly IFluidTemplate _text;
    private readonly IFluidTemplate _layout;
    private readonly Fluid.TemplateOptions _options;

    /// <summary>Parses the bench template from <paramref name="root"/>.</summary>
    public BareFluid(string root)
    {
        var parser = new FluidParser();
        IFluidTemplate Parse(string path) => parser.Parse(File.ReadAllText(Path.Combine(root, path)));
        _subject = Parse("order-thanks/default/subject.liquid");
        _html = Parse("order-thanks/default/html.liquid");
        _text = Parse("order-thanks/default/text.liquid");
        _layout = Parse("_layouts/bench.liquid");
        var partials = new Partials(Directory.GetFiles(Path.Combine(root, "_partials"), "*.liquid")
            .ToDictionary(f => Path.GetFileNameWithoutExtension(f), f => parser.Parse(File.ReadAllText(f)), StringComparer.Ordinal));
        _options = new TemplateOptionsBuilder()
            .WithMaxSteps(10_000).WithMaxCollectionSize(10_000).WithMaxRecursion(20).WithMaxOutputSize(1_000_000)
            .WithFileProvider(partials).WithTemplateCache(partials)
            .WithCultureInfo(Culture).WithTimeZone(TimeZoneInfo.FindSystemTimeZoneById("Asia/Taipei"))
            .AddValueConverter(v => v is MoneyValue m ? new Dictionary<string, object?> { ["amount"] = m.Amount, ["currency"] = m.Currency } : null)
            .AddFilter("money", (input, _, context) => StringValue.Create(
                input.GetValueAsync("amount", context).Result.ToNumberValue(context).ToString("N2", Culture) + " " + input.GetValueAsync("currency", context).Result.ToStringValue(context)))
            .Build();
    }

    /// <summary>Renders subject, HTML (body in layout) and text.</summary>
    public RenderedEmail Render(TemplateModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var subject = RenderPart(_subject, model, NullEncoder.Default, null).Trim();
        var body = RenderPart(_html, model, Html, null);
        var html = RenderPart(_layout, model, Html, body);
        var text = RenderPart(_text, model, NullEncoder.Default, null).Trim();
        return new RenderedEmail(subject, html, text, null);
    }

    private string RenderPart(IFluidTemplate template, TemplateModel model, TextEncoder encoder, string? content)
    {
        var context = new TemplateContext(_options);
        foreach (var (name, value) in model.Root)
        {
            context.SetValue(name, FluidValue.Create(value, _options));
        }

        if (content is not null)
        {
            context.SetValue("content", StringValue.Create(content, encode: false));
        }

        return template.Render(context, encoder);
    }

    private sealed class Partials(Dictionary<string, IFluidTemplate> parsed) : ITemplateFileProvider, ITemplateCache
    {
        public ValueTask<TemplateSourceInfo> GetFileInfoAsync(string subpath, TemplateContext context, CancellationToken cancellationToken) =>
            new(parsed.ContainsKey(subpath) ? new TemplateSourceInfo(DateTimeOffset.MinValue, _ => throw new InvalidOperationException("pre-parsed"), subpath) : null!);

        public bool TryGetTemplate(string subpath, DateTimeOffset lastModified, out IFluidTemplate template) => parsed.TryGetValue(subpath, out template!);

        public void SetTemplate(string subpath, DateTimeOffset lastModified, IFluidTemplate template)
        {
        }
    }
}
