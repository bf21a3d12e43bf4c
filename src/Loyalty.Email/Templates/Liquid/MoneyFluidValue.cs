using System.Text.Encodings.Web;
using Fluid;
using Fluid.Values;

namespace Loyalty.Email.Templates.Liquid;

/// <summary>
/// A <see cref="MoneyValue"/> as templates see it: <c>amount</c> and <c>currency</c> members (also for <c>json</c>),
/// its amount in arithmetic, equality and comparisons (<see cref="AmountComparisons"/>), written as money in the
/// render's locale.
/// </summary>
internal sealed class MoneyFluidValue(MoneyValue money) : FluidValue
{
    public MoneyValue Money { get; } = money;

    // A dictionary to Liquid (members, json), as Fluid's own forloop value is.
    public override FluidValues Type => FluidValues.Dictionary;

    public override bool Equals(FluidValue other) => other switch
    {
        MoneyFluidValue m => m.Money.Amount == Money.Amount && string.Equals(m.Money.Currency, Money.Currency, StringComparison.OrdinalIgnoreCase),
        NumberValue n => n.ToNumberValue(null!) == Money.Amount,
        _ => false,
    };

    public override bool Equals(object? obj) => obj is FluidValue other && Equals(other);

    public override int GetHashCode() => HashCode.Combine(Money.Amount, Money.Currency);

    public override bool ToBooleanValue(TemplateContext context) => true;

    public override decimal ToNumberValue(TemplateContext context) => Money.Amount;

    public override string ToStringValue(TemplateContext context) => MoneyFormatter.Format(Money.Amount, Money.Currency, LiquidRenderContext.MoneyOf(context));

    public override object ToObjectValue(TemplateContext context) => new FluidValueDictionaryFluidIndexable(new Dictionary<string, FluidValue>
    {
        ["amount"] = NumberValue.Create(Money.Amount),
        ["currency"] = StringValue.Create(Money.Currency),
    });

    public override ValueTask WriteToAsync(IFluidOutput output, TextEncoder encoder, TemplateContext context)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(encoder);
        output.Write(encoder.Encode(ToStringValue(context)));
        return ValueTask.CompletedTask;
    }

    public override ValueTask<FluidValue> GetValueAsync(string name, TemplateContext context) => name switch
    {
        "amount" => NumberValue.Create(Money.Amount),
        "currency" => StringValue.Create(Money.Currency),
        _ => NilValue.Instance,
    };

    public override ValueTask<FluidValue> GetIndexAsync(FluidValue index, TemplateContext context) =>
        GetValueAsync(index?.ToStringValue(context) ?? string.Empty, context);
}
