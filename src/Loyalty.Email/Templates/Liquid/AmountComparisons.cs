using Fluid;
using Fluid.Ast;
using Fluid.Ast.BinaryExpressions;
using Fluid.Values;

namespace Loyalty.Email.Templates.Liquid;

/// <summary>
/// Makes <c>&lt;</c>, <c>&gt;</c>, <c>&lt;=</c> and <c>&gt;=</c> compare money by its amount
/// (<c>{% if order.total &gt; 5000 %}</c>), as the templates and flow conditions written for Loyalty do: Fluid orders
/// only numbers, strings and dates, and would call any such comparison false.
/// </summary>
internal sealed class AmountComparisons : AstRewriter
{
    public static IFluidTemplate Apply(IFluidTemplate template) => new AmountComparisons().VisitTemplate(template);

    protected override Expression VisitGreaterThanBinaryExpression(GreaterThanBinaryExpression greaterThanBinaryExpression) =>
        new GreaterThanBinaryExpression(Amount(greaterThanBinaryExpression.Left), Amount(greaterThanBinaryExpression.Right), greaterThanBinaryExpression.Strict);

    protected override Expression VisitLowerThanBinaryExpression(LowerThanBinaryExpression lowerThanBinaryExpression) =>
        new LowerThanBinaryExpression(Amount(lowerThanBinaryExpression.Left), Amount(lowerThanBinaryExpression.Right), lowerThanBinaryExpression.Strict);

    private Expression Amount(Expression operand)
    {
        var visited = Visit(operand);
        return visited is LiteralExpression ? visited : new AmountOf(visited);
    }

    /// <summary>The operand's value, or its amount when it is money.</summary>
    private sealed class AmountOf(Expression operand) : Expression
    {
        public override ValueTask<FluidValue> EvaluateAsync(TemplateContext context)
        {
            var value = operand.EvaluateAsync(context);
            return value.IsCompletedSuccessfully ? new(Unwrap(value.Result)) : Awaited(value);
        }

        private static async ValueTask<FluidValue> Awaited(ValueTask<FluidValue> value) => Unwrap(await value.ConfigureAwait(false));

        private static FluidValue Unwrap(FluidValue value) => value is MoneyFluidValue money ? NumberValue.Create(money.Money.Amount) : value;
    }
}
