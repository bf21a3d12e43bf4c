using System.Globalization;
using Fluid;
using Fluid.Values;

namespace Loyalty.Email.Templates.Liquid;

/// <summary>
/// One render's context: made for every part of every e-mail and never reused, so nothing a template assigns,
/// captures, counts or cycles reaches another part or another customer. The model is its read-only fallback scope.
/// </summary>
internal sealed class LiquidRenderContext : TemplateContext
{
    public LiquidRenderContext(FluidValue model, Fluid.TemplateOptions options, RenderSettings settings)
        : base(model, options)
    {
        CultureInfo = settings.Culture;
        TimeZone = settings.Zone;
        FilterContext = settings.FilterContext;
    }

    /// <summary>What <see cref="ILiquidFilterProvider"/> filters are told about the render.</summary>
    public LiquidFilterContext FilterContext { get; }
}

/// <summary>The customer's locale and zone as a render uses them (culture for money and month names, zone for dates).</summary>
internal sealed record RenderSettings(CultureInfo Culture, TimeZoneInfo Zone, LiquidFilterContext FilterContext)
{
    public static RenderSettings For(string? locale, string? timeZoneId)
    {
        var culture = string.IsNullOrWhiteSpace(locale) || locale == TemplateCatalog.DefaultLocale ? null : FindCulture(locale);
        if (!string.IsNullOrWhiteSpace(timeZoneId) && !TimeZoneInfo.TryFindSystemTimeZoneById(timeZoneId, out _))
        {
            throw new TemplateRenderException($"Unknown time zone '{timeZoneId}'; use an IANA name such as Asia/Taipei.");
        }

        var zone = string.IsNullOrWhiteSpace(timeZoneId) ? TimeZoneInfo.Utc : TimeZoneInfo.FindSystemTimeZoneById(timeZoneId);
        return new RenderSettings(culture ?? CultureInfo.InvariantCulture, zone, new LiquidFilterContext(locale ?? string.Empty, timeZoneId ?? "UTC"));
    }

    private static CultureInfo? FindCulture(string locale)
    {
        try
        {
            return CultureInfo.GetCultureInfo(locale);
        }
        catch (CultureNotFoundException)
        {
            return null;
        }
    }
}
