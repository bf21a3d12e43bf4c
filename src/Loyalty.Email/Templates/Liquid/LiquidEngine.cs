using System.Text.Encodings.Web;
using Fluid;
using Fluid.Values;

namespace Loyalty.Email.Templates.Liquid;

/// <summary>
/// The one place that knows Fluid: parses Liquid once and renders a parsed template in a fresh context, under the
/// limits of <see cref="TemplateOptions"/>, with the filter set and the partials. Thread-safe: it holds only
/// immutable state (Fluid's parser and options are both safe to share).
/// </summary>
internal sealed class LiquidEngine
{
    private readonly Fluid.TemplateOptions _fluid;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<(string, string), RenderSettings> _settings = new();

    public LiquidEngine(TemplateOptions options, IEnumerable<ILiquidFilterProvider>? providers = null, TimeProvider? clock = null, PartialTemplates? partials = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var now = clock ?? TimeProvider.System;
        partials ??= new PartialTemplates(new Dictionary<string, IFluidTemplate>(StringComparer.Ordinal));
        _fluid = new TemplateOptionsBuilder()
            .WithMaxSteps(options.LoopLimit)
            .WithMaxCollectionSize(options.LoopLimit)
            .WithMaxRecursion(options.RecursionLimit)
            .WithMaxOutputSize(options.OutputLimitChars)
            .WithStrictVariables(options.StrictVariables)
            .WithStrictFilters(true)
            .WithMemberAccessStrategy(() => new NoClrMembers())
            .WithFileProvider(partials)
            .WithTemplateCache(partials)
            .WithNow(() => now.GetUtcNow())
            .WithTimeZone(TimeZoneInfo.Utc)
            .ConfigureFilters(filters => LiquidFilters.Configure(filters, providers ?? []))
            .Build();
        FilterNames = _fluid.Filters.Select(f => f.Key).ToHashSet(StringComparer.Ordinal);
    }

    /// <summary>Filters a template may call.</summary>
    public IReadOnlySet<string> FilterNames { get; }

    /// <summary>
    /// The settings of a customer's locale and zone, made once per pair (finding a zone and a culture's number data
    /// costs tens of microseconds; a shop has a handful of pairs).
    /// </summary>
    public RenderSettings Settings(string? locale, string? timeZoneId)
    {
        var key = (locale ?? string.Empty, timeZoneId ?? string.Empty);
        return _settings.TryGetValue(key, out var settings) ? settings
            : _settings.Count < 1_000 ? _settings.GetOrAdd(key, _ => RenderSettings.For(locale, timeZoneId)) : RenderSettings.For(locale, timeZoneId);
    }

    /// <summary>
    /// Renders <paramref name="template"/> for <paramref name="model"/> in a context of its own; HTML parts encode
    /// every value <c>{{ }}</c> writes. <paramref name="content"/> is a layout's already rendered body.
    /// </summary>
    public string Render(LiquidTemplate template, FluidValue model, RenderSettings settings, bool html, string? content = null)
    {
        ArgumentNullException.ThrowIfNull(template);
        var context = new LiquidRenderContext(model, _fluid, settings);
        if (content is not null)
        {
            context.SetValue("content", StringValue.Create(content, encode: false));
        }

        try
        {
            return template.Parsed.Render(context, html ? MailHtmlEncoder.Instance : NullEncoder.Default);
        }
        catch (Exception ex) when (LiquidErrors.Describe(ex) is { } reason)
        {
            throw new TemplateRenderException($"{template.File}: {reason}", ex);
        }
    }
}

/// <summary>A parsed template and the file it came from (for the errors its renders report).</summary>
internal sealed record LiquidTemplate(string File, IFluidTemplate Parsed);
