using Fluid;
using Fluid.Ast;
using Fluid.Values;

namespace Loyalty.Email.Templates.Liquid;

/// <summary>
/// What one parsed template defines and uses, read from its syntax tree before it is checked: the names it assigns
/// (and from what), the partials it includes or renders (and the names it passes them), the model paths it reads.
/// </summary>
internal sealed class TemplateFacts : AstVisitor
{
    private TemplateFacts()
    {
    }

    /// <summary>Every name the template defines, with each definition.</summary>
    public Dictionary<string, List<Definition>> Definitions { get; } = new(StringComparer.Ordinal);

    /// <summary>Partials named in the template's include and render tags.</summary>
    public List<PartialUse> Partials { get; } = [];

    /// <summary><c>root</c> and <c>root.member</c> of every variable the template reads.</summary>
    public HashSet<string> ReadPaths { get; } = new(StringComparer.Ordinal);

    public static TemplateFacts Of(IFluidTemplate template)
    {
        var facts = new TemplateFacts();
        facts.VisitTemplate(template);
        return facts;
    }

    /// <summary>The partial an include names in quotes (null when it computes the name).</summary>
    public static string? LiteralName(Expression path) => path is LiteralExpression { Value: StringValue name } ? name.ToStringValue(null!) : null;

    protected override Statement VisitAssignStatement(AssignStatement assignStatement) =>
        Define(assignStatement.Identifier, new(assignStatement.Value, IsLoop: false), base.VisitAssignStatement(assignStatement));

    protected override Statement VisitCaptureStatement(CaptureStatement captureStatement) =>
        Define(captureStatement.Identifier, Definition.Text, base.VisitCaptureStatement(captureStatement));

    protected override Statement VisitForStatement(ForStatement forStatement) =>
        Define(forStatement.Identifier, new(forStatement.Source, IsLoop: true), base.VisitForStatement(forStatement));

    protected override Statement VisitTableRowStatement(TableRowStatement tableRowStatement) =>
        Define(tableRowStatement.Identifier, new(tableRowStatement.Source, IsLoop: true), base.VisitTableRowStatement(tableRowStatement));

    protected override Statement VisitIncrementStatement(IncrementStatement incrementStatement) =>
        Define(incrementStatement.Identifier, Definition.Text, incrementStatement);

    protected override Statement VisitDecrementStatement(DecrementStatement decrementStatement) =>
        Define(decrementStatement.Identifier, Definition.Text, decrementStatement);

    protected override Statement VisitIncludeStatement(IncludeStatement includeStatement)
    {
        if (LiteralName(includeStatement.Path) is { } name)
        {
            Use(name, isInclude: true, includeStatement.With ?? includeStatement.For, includeStatement.Alias, includeStatement.AssignStatements);
        }

        return base.VisitIncludeStatement(includeStatement);
    }

    protected override Statement VisitRenderStatement(RenderStatement renderStatement)
    {
        Use(renderStatement.Path, isInclude: false, renderStatement.With ?? renderStatement.For, renderStatement.Alias, renderStatement.AssignStatements);
        return base.VisitRenderStatement(renderStatement);
    }

    protected override Expression VisitMemberExpression(MemberExpression memberExpression)
    {
        if (memberExpression.Segments[0] is IdentifierSegment root)
        {
            ReadPaths.Add(root.Identifier);
            if (memberExpression.Segments.Count > 1 && memberExpression.Segments[1] is IdentifierSegment member)
            {
                ReadPaths.Add(root.Identifier + "." + member.Identifier);
            }
        }

        foreach (var segment in memberExpression.Segments.OfType<IndexerSegment>())
        {
            Visit(segment.Expression);
        }

        return memberExpression;
    }

    private void Use(string name, bool isInclude, Expression? bound, string? alias, IReadOnlyList<AssignStatement>? arguments)
    {
        // with/for without "as": the value takes the partial's name.
        var passed = (arguments ?? []).Select(a => a.Identifier).Append(alias ?? (bound is null ? null : name)).OfType<string>().ToList();
        Partials.Add(new PartialUse(name, isInclude, passed));
    }

    private Statement Define(string name, Definition definition, Statement visited)
    {
        if (!Definitions.TryGetValue(name, out var list))
        {
            Definitions[name] = list = [];
        }

        list.Add(definition);
        return visited;
    }
}

/// <summary>One definition of a name: the value assigned (or the list a loop runs over), or text (capture, counters).</summary>
internal sealed record Definition(Expression? Source, bool IsLoop)
{
    public static Definition Text { get; } = new(null, IsLoop: false);
}

/// <summary>A partial named in an include or render tag, with the names the tag gives it.</summary>
internal sealed record PartialUse(string Name, bool IsInclude, IReadOnlyList<string> Passed);
