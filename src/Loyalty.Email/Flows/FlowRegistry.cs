using Loyalty.Email.Templates;

namespace Loyalty.Email.Flows;

/// <summary>A flow definition, or several, is unusable; the host does not start.</summary>
public sealed class FlowValidationException : Exception
{
    /// <summary>Creates the exception listing every problem.</summary>
    public FlowValidationException(IReadOnlyList<string> problems)
        : base("Loyalty flows are invalid:" + Environment.NewLine + string.Join(Environment.NewLine, (problems ?? []).Select(p => "  - " + p)))
    {
        Problems = problems ?? [];
    }

    /// <summary>Every problem found.</summary>
    public IReadOnlyList<string> Problems { get; }
}

/// <summary>Evaluates Liquid conditions; implemented next to the template engine.</summary>
public interface ILiquidConditionEvaluator
{
    /// <summary>Checks an expression at start-up; returns problems (unknown variable, syntax) or an empty list.</summary>
    IReadOnlyList<string> Check(string expression);

    /// <summary>Evaluates a checked expression over <paramref name="model"/>.</summary>
    bool Evaluate(string expression, TemplateModel model);
}

/// <summary>The validated flows of this host, looked up by trigger and id.</summary>
public sealed class FlowRegistry
{
    private readonly Dictionary<string, FlowDefinition> _byId;
    private readonly Dictionary<string, FlowDefinition[]> _byTrigger;

    /// <summary>Validates <paramref name="flows"/> (all problems at once) and indexes them.</summary>
    public FlowRegistry(IEnumerable<FlowDefinition> flows, IEmailTemplateRenderer? templates, ILiquidConditionEvaluator? liquid)
    {
        ArgumentNullException.ThrowIfNull(flows);
        var list = flows.ToList();
        var problems = Validate(list, templates, liquid);
        if (problems.Count > 0)
        {
            throw new FlowValidationException(problems);
        }

        _byId = list.ToDictionary(f => f.Id, StringComparer.Ordinal);
        _byTrigger = list.GroupBy(f => f.Trigger, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.ToArray(), StringComparer.Ordinal);
        All = list;
    }

    /// <summary>Every flow.</summary>
    public IReadOnlyList<FlowDefinition> All { get; }

    /// <summary>The flows started by <paramref name="eventType"/>.</summary>
    public IReadOnlyList<FlowDefinition> ForTrigger(string eventType) => _byTrigger.TryGetValue(eventType, out var flows) ? flows : [];

    /// <summary>A flow by id, or null when it no longer exists.</summary>
    public FlowDefinition? Find(string id) => _byId.GetValueOrDefault(id);

    /// <summary>Returns every problem of <paramref name="flows"/>.</summary>
    public static List<string> Validate(IReadOnlyList<FlowDefinition> flows, IEmailTemplateRenderer? templates, ILiquidConditionEvaluator? liquid)
    {
        ArgumentNullException.ThrowIfNull(flows);
        var problems = new List<string>();
        foreach (var duplicate in flows.GroupBy(f => f.Id, StringComparer.Ordinal).Where(g => g.Count() > 1))
        {
            problems.Add($"flow '{duplicate.Key}' is defined {duplicate.Count()} times ({string.Join(", ", duplicate.Select(f => f.Source))}).");
        }

        foreach (var flow in flows)
        {
            var at = $"flow '{flow.Id}' ({flow.Source})";
            if (flow.Id.Length == 0 || !flow.Id.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
            {
                problems.Add($"{at}: the id may contain only letters, digits, '-' and '_'.");
            }

            if (string.IsNullOrWhiteSpace(flow.Trigger))
            {
                problems.Add($"{at}: has no trigger (set Trigger to an event type such as OrderPlaced).");
            }

            if (flow.Category != EmailCategories.Transactional && !EmailCategories.IsMarketing(flow.Category))
            {
                problems.Add($"{at}: category '{flow.Category}' must be transactional, marketing or marketing:TOPIC.");
            }

            if (flow.Steps.Count == 0)
            {
                problems.Add($"{at}: has no steps.");
            }

            foreach (var condition in flow.EntryConditions)
            {
                CheckCondition(condition, $"{at} entry condition", liquid, problems);
            }

            for (var i = 0; i < flow.Steps.Count; i++)
            {
                var step = flow.Steps[i];
                var stepAt = $"{at} step {i + 1}";
                if (step.Wait.Duration < TimeSpan.Zero || step.Wait.BusinessDays < 0)
                {
                    problems.Add($"{stepAt}: the wait must not be negative.");
                }

                foreach (var condition in step.ExitConditions)
                {
                    CheckCondition(condition, $"{stepAt} exit condition", liquid, problems);
                }

                if (step.Action is SendTemplateAction send && templates is not null && !templates.Exists(send.TemplateName))
                {
                    problems.Add($"{stepAt}: template '{send.TemplateName}' does not exist.");
                }
            }
        }

        return problems;
    }

    private static void CheckCondition(FlowCondition condition, string at, ILiquidConditionEvaluator? liquid, List<string> problems)
    {
        switch (condition)
        {
            case LiquidExpressionCondition expression when liquid is null:
                problems.Add($"{at}: Liquid condition '{expression.Expression}' cannot be checked: no Liquid engine is registered.");
                break;
            case LiquidExpressionCondition expression:
                problems.AddRange(liquid.Check(expression.Expression).Select(p => $"{at} '{expression.Expression}': {p}"));
                break;
            case BuiltInFlowCondition { Kind: BuiltInCondition.OrderHasTag or BuiltInCondition.OrderHasSku or BuiltInCondition.MilestoneIs, Argument: null or "" } builtIn:
                problems.Add($"{at}: {builtIn.Kind} needs an argument.");
                break;
        }
    }
}
