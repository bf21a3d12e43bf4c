using System.Text;
using Fluid;
using Fluid.Filters;
using Fluid.Values;

namespace Loyalty.Email.Templates.Liquid;

/// <summary>
/// The filters every template sees: Fluid's Shopify filters, Loyalty's <c>money</c> and <c>money_with_currency</c>, the
/// filters other packages add
/// (<see cref="ILiquidFilterProvider"/>); each one's string result bounded by the output limit.
/// </summary>
internal static class LiquidFilters
{
    // Fluid's own, outside Liquid: .NET format strings, whose widths no limit bounds before the string is built.
    private static readonly string[] Removed = ["format_date", "format_number", "format_string"];

    public static void Configure(FilterCollection filters, IEnumerable<ILiquidFilterProvider> providers)
    {
        foreach (var name in Removed)
        {
            filters.Remove(name);
        }

        filters.AddFilter("money", Money);
        filters.AddFilter("money_with_currency", MoneyWithCurrency);
        filters.AddFilter("date", Date);
        filters.AddFilter("base64_url_safe_encode", Base64UrlSafeEncode);
        foreach (var provider in providers)
        {
            foreach (var (name, filter) in provider.Filters)
            {
                if (filters.TryGetValue(name, out _))
                {
                    throw new InvalidOperationException($"Liquid filter '{name}' from {provider.GetType().Name} is already defined.");
                }

                filters.AddFilter(name, Adapt(filter));
            }
        }

        foreach (var (name, filter) in filters.ToList())
        {
            filters.AddFilter(name, Bounded(name, filter));
        }
    }

    private static ValueTask<FluidValue> Money(FluidValue input, FilterArguments arguments, TemplateContext context) =>
        FormatMoney(input, arguments, context, withCurrency: false);

    private static ValueTask<FluidValue> MoneyWithCurrency(FluidValue input, FilterArguments arguments, TemplateContext context) =>
        FormatMoney(input, arguments, context, withCurrency: true);

    /// <summary>An amount in its currency, in the customer's locale; a plain number needs the currency as argument.</summary>
    private static FluidValue FormatMoney(FluidValue input, FilterArguments arguments, TemplateContext context, bool withCurrency)
    {
        var currency = arguments.Count > 0 ? arguments.At(0).ToStringValue(context) : (input as MoneyFluidValue)?.Money.Currency;
        if (input.IsNil())
        {
            return NilValue.Instance;
        }

        if (currency is null || (input is not MoneyFluidValue && input.Type is not (FluidValues.Number or FluidValues.String)))
        {
            throw new LiquidException("money needs an amount, and a currency for a plain number: {{ amount | money: \"TWD\" }}");
        }

        var formatted = MoneyFormatter.Format(input.ToNumberValue(context), currency, LiquidRenderContext.MoneyOf(context));
        return StringValue.Create(withCurrency ? MoneyFormatter.WithCurrency(formatted, currency) : formatted);
    }

    /// <summary>Fluid's strftime <c>date</c>, which needs its format, as Ruby's does.</summary>
    private static ValueTask<FluidValue> Date(FluidValue input, FilterArguments arguments, TemplateContext context)
    {
        if (arguments.Count != 1)
        {
            throw new LiquidException("date needs a format: {{ order.placed_at | date: '%-d %B %Y' }}");
        }

        return MiscFilters.Date(input, arguments, context);
    }

    /// <summary>Ruby's <c>Base64.urlsafe_encode64</c> keeps the padding (Fluid drops it).</summary>
    private static ValueTask<FluidValue> Base64UrlSafeEncode(FluidValue input, FilterArguments arguments, TemplateContext context)
    {
        LiquidException.ThrowFilterArgumentsCount("base64_url_safe_encode", 0, arguments);
        var bytes = Encoding.UTF8.GetBytes(input.ToStringValue(context));
        context.EnsureOutputSize(4 * ((bytes.LongLength + 2) / 3));
        return StringValue.Create(Convert.ToBase64String(bytes).Replace('+', '-').Replace('/', '_'));
    }

    private static FilterDelegate Adapt(LiquidFilter filter) => (input, arguments, context) =>
    {
        var plainArguments = arguments.Values.Select(a => ModelValues.ToPlain(a, context)).ToList();
        var filterContext = context is LiquidRenderContext render ? render.FilterContext : new LiquidFilterContext(context.CultureInfo.Name, context.TimeZone.Id);
        return ModelValues.From(filter(ModelValues.ToPlain(input, context), plainArguments, filterContext), context.TimeZone);
    };

    /// <summary>A filter whose string result may not pass the output limit (Fluid bounds only the filters that build strings).</summary>
    private static FilterDelegate Bounded(string name, FilterDelegate filter) => (input, arguments, context) =>
    {
        var result = filter(input, arguments, context);
        return result.IsCompletedSuccessfully ? new(Checked(name, result.Result, context)) : Awaited(name, result, context);
    };

    private static async ValueTask<FluidValue> Awaited(string name, ValueTask<FluidValue> result, TemplateContext context) =>
        Checked(name, await result.ConfigureAwait(false), context);

    private static FluidValue Checked(string name, FluidValue result, TemplateContext context)
    {
        if (result is StringValue && context.MaxOutputSize > 0 && result.ToStringValue(context).Length > context.MaxOutputSize)
        {
            throw new LiquidOutputLimitException($"filter '{name}' produced more than {context.MaxOutputSize} characters (the output limit)");
        }

        return result;
    }
}

/// <summary>A filter's result passed the output limit.</summary>
internal sealed class LiquidOutputLimitException(string message) : Exception(message);
