using Scriban;
using Scriban.Syntax;

namespace Loyalty.Email.Templates.Scriban;

/// <summary>Finds variables and filters a parsed template uses, and the names it defines itself (assign, capture, for).</summary>
internal sealed class TemplateAnalyzer : ScriptVisitor
{
    private readonly List<(string Name, ScriptNode Node)> _variables = [];
    private readonly List<(string Name, ScriptNode Node)> _filters = [];
    private readonly HashSet<string> _defined = new(StringComparer.Ordinal);

    public static readonly IReadOnlySet<string> KnownRoots = new HashSet<string>(StringComparer.Ordinal)
    {
        "customer", "order", "event", "shop", "links", "referral", "review", "issue", "milestone", "flow",
    };

    private static readonly HashSet<string> LanguageNames = new(StringComparer.Ordinal)
    {
        "forloop", "tablerowloop", "empty", "blank", "true", "false", "nil", "null", "content",
    };

    public static IEnumerable<(string Name, ScriptNode Node, bool IsFilter)> UnknownNames(Template template, IReadOnlySet<string> filters, IEnumerable<string> extraRoots)
    {
        var analyzer = new TemplateAnalyzer();
        analyzer.Visit(template.Page);
        var roots = new HashSet<string>(KnownRoots, StringComparer.Ordinal);
        roots.UnionWith(extraRoots);
        foreach (var (name, node) in analyzer._variables)
        {
            if (!roots.Contains(name) && !analyzer._defined.Contains(name) && !LanguageNames.Contains(name))
            {
                yield return (name, node, false);
            }
        }

        foreach (var (name, node) in analyzer._filters)
        {
            if (!filters.Contains(name))
            {
                yield return (name, node, true);
            }
        }
    }

    public override void Visit(ScriptMemberExpression node)
    {
        Visit(node.Target); // the member name is not a variable
    }

    public override void Visit(ScriptNamedArgument node)
    {
        Visit(node.Value);
    }

    public override void Visit(ScriptPipeCall node)
    {
        Visit(node.From);
        VisitCallTarget(node.To);
    }

    public override void Visit(ScriptFunctionCall node)
    {
        if (node.Target is ScriptVariable variable)
        {
            _filters.Add((variable.Name, node));
        }
        else
        {
            Visit(node.Target);
        }

        foreach (var argument in node.Arguments)
        {
            Visit(argument);
        }
    }

    public override void Visit(ScriptAssignExpression node)
    {
        Define(node.Target);
        Visit(node.Value);
    }

    public override void Visit(ScriptCaptureStatement node)
    {
        Define(node.Target);
        Visit(node.Body);
    }

    public override void Visit(ScriptForStatement node)
    {
        Define(node.Variable);
        Visit(node.Iterator);
        foreach (var argument in node.NamedArguments ?? [])
        {
            Visit(argument);
        }

        Visit(node.Body);
        Visit(node.Else);
    }

    public override void Visit(ScriptTableRowStatement node)
    {
        Define(node.Variable);
        Visit(node.Iterator);
        Visit(node.Body);
    }

    public override void Visit(ScriptVariableGlobal node) => _variables.Add((node.Name, node));

    public override void Visit(ScriptVariableLocal node) => _variables.Add((node.Name, node));

    public override void Visit(ScriptBinaryExpression node)
    {
        // {% increment n %} parses as n + 1 and defines n.
        if (node.Left is ScriptVariable v && node.Right is ScriptLiteral && node.Operator is ScriptBinaryOperator.Add or ScriptBinaryOperator.Subtract && node.Parent is ScriptExpressionStatement)
        {
            _defined.Add(v.Name);
        }

        base.Visit(node);
    }

    private void VisitCallTarget(ScriptExpression? target)
    {
        switch (target)
        {
            case ScriptVariable variable:
                _filters.Add((variable.Name, variable));
                break;
            case ScriptFunctionCall call:
                Visit(call);
                break;
            case ScriptPipeCall pipe:
                Visit(pipe);
                break;
            default:
                Visit(target);
                break;
        }
    }

    private void Define(ScriptExpression? target)
    {
        if (target is ScriptVariable variable)
        {
            _defined.Add(variable.Name);
        }
        else if (target is not null)
        {
            Visit(target);
        }
    }
}
