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
        Money = settings.Money;
    }

    /// <summary>What <see cref="ILiquidFilterProvider"/> filters are told about the render.</summary>
    public LiquidFilterContext FilterContext { get; }

    /// <summary>How the customer writes money.</summary>
    public MoneyLocale Money { get; }

    /// <summary>How <paramref name="context"/>'s customer writes money (any context: a filter may be called outside a render).</summary>
    public static MoneyLocale MoneyOf(TemplateContext context) => context is LiquidRenderContext render ? render.Money : MoneyFormatter.LocaleOf(context.CultureInfo);
}

/// <summary>The customer's locale and zone as a render uses them (culture for money and month names, zone for dates).</summary>
internal sealed record RenderSettings(CultureInfo Culture, TimeZoneInfo Zone, LiquidFilterContext FilterContext, MoneyLocale Money)
{
    public static RenderSettings For(string? locale, string? timeZoneId)
    {
        var culture = string.IsNullOrWhiteSpace(locale) || locale == TemplateCatalog.DefaultLocale ? null : FindCulture(locale);
        var zone = TimeZoneInfo.Utc;
        if (!string.IsNullOrWhiteSpace(timeZoneId) && !TimeZoneInfo.TryFindSystemTimeZoneById(timeZoneId, out zone))
        {
            throw new TemplateRenderException($"Unknown time zone '{timeZoneId}'; use an IANA name such as Asia/Taipei.");
        }

        culture ??= CultureInfo.InvariantCulture;
        return new RenderSettings(culture, zone, new LiquidFilterContext(locale ?? string.Empty, timeZoneId ?? "UTC"), MoneyFormatter.LocaleOf(culture));
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
