using System.Collections.Concurrent;
using Loyalty.Email.Flows;
using Microsoft.Extensions.Options;

namespace Loyalty.Email.Templates;

/// <summary>Flow conditions in Liquid: compiled once per expression (at start-up, by the flow registry's check), then evaluated.</summary>
internal sealed class LiquidConditionEvaluator : ILiquidConditionEvaluator
{
    private readonly ConcurrentDictionary<string, LiquidCondition> _compiled = new(StringComparer.Ordinal);
    private readonly TemplateOptions _options;
    private readonly IEnumerable<ILiquidFilterProvider> _providers;

    public LiquidConditionEvaluator(IOptions<TemplateOptions> options, IEnumerable<ILiquidFilterProvider> providers)
    {
        _options = options.Value;
        _providers = providers;
    }

    public IReadOnlyList<string> Check(string expression)
    {
        try
        {
            _compiled[expression] = LiquidCondition.Compile(expression, "condition", _options, _providers);
            return [];
        }
        catch (TemplateValidationException ex)
        {
            return ex.Diagnostics.Select(d => d.Message).ToList();
        }
    }

    public bool Evaluate(string expression, TemplateModel model)
        => _compiled.GetOrAdd(expression, e => LiquidCondition.Compile(e, "condition", _options, _providers)).Evaluate(model);
}
