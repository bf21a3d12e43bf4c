using System.Text.Encodings.Web;
using Fluid;
using Fluid.Values;

namespace Loyalty.Email.Templates.Liquid;

/// <summary>
/// A <see cref="MoneyValue"/> as templates see it: <c>amount</c> and <c>currency</c> members, its amount in
/// arithmetic, comparisons (see <see cref="AmountComparisons"/>) and equality, written as money in the render's locale.
/// </summary>
internal sealed class MoneyFluidValue(MoneyValue money) : FluidValue
{
    public MoneyValue Money { get; } = money;

    // A dictionary to Liquid (members, json); ForLoopValue is another such value.
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

    public override string ToStringValue(TemplateContext context) => MoneyFormatter.Format(Money.Amount, Money.Currency, context.CultureInfo);

    public override object ToObjectValue(TemplateContext context) => new Members(Money);

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

    /// <summary>What <c>json</c> writes: <c>{"amount":…,"currency":"…"}</c>.</summary>
    private sealed class Members(MoneyValue money) : IFluidIndexable
    {
        public int Count => 2;

        public IEnumerable<string> Keys { get; } = ["amount", "currency"];

        public bool TryGetValue(string name, out FluidValue value)
        {
            value = name switch
            {
                "amount" => NumberValue.Create(money.Amount),
                "currency" => StringValue.Create(money.Currency),
                _ => NilValue.Instance,
            };
            return name is "amount" or "currency";
        }
    }
}
