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

    /// <summary>Every name the template defines, with each definition (an assigned value, or a loop's source).</summary>
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

    protected override Statement VisitAssignStatement(AssignStatement assignStatement)
    {
        ArgumentNullException.ThrowIfNull(assignStatement);
        Define(assignStatement.Identifier, new Definition(assignStatement.Value, IsLoop: false));
        return base.VisitAssignStatement(assignStatement);
    }

    protected override Statement VisitCaptureStatement(CaptureStatement captureStatement)
    {
        ArgumentNullException.ThrowIfNull(captureStatement);
        Define(captureStatement.Identifier, Definition.Text);
        return base.VisitCaptureStatement(captureStatement);
    }

    protected override Statement VisitForStatement(ForStatement forStatement)
    {
        ArgumentNullException.ThrowIfNull(forStatement);
        Define(forStatement.Identifier, new Definition(forStatement.Source, IsLoop: true));
        return base.VisitForStatement(forStatement);
    }

    protected override Statement VisitTableRowStatement(TableRowStatement tableRowStatement)
    {
        ArgumentNullException.ThrowIfNull(tableRowStatement);
        Define(tableRowStatement.Identifier, new Definition(tableRowStatement.Source, IsLoop: true));
        return base.VisitTableRowStatement(tableRowStatement);
    }

    protected override Statement VisitIncrementStatement(IncrementStatement incrementStatement)
    {
        ArgumentNullException.ThrowIfNull(incrementStatement);
        Define(incrementStatement.Identifier, Definition.Text);
        return incrementStatement;
    }

    protected override Statement VisitDecrementStatement(DecrementStatement decrementStatement)
    {
        ArgumentNullException.ThrowIfNull(decrementStatement);
        Define(decrementStatement.Identifier, Definition.Text);
        return decrementStatement;
    }

    protected override Statement VisitIncludeStatement(IncludeStatement includeStatement)
    {
        ArgumentNullException.ThrowIfNull(includeStatement);
        if (includeStatement.Path is LiteralExpression { Value: StringValue name })
        {
            Use(name.ToStringValue(null!), include: true, includeStatement.With ?? includeStatement.For, includeStatement.Alias, includeStatement.AssignStatements);
        }

        return base.VisitIncludeStatement(includeStatement);
    }

    protected override Statement VisitRenderStatement(RenderStatement renderStatement)
    {
        ArgumentNullException.ThrowIfNull(renderStatement);
        Use(renderStatement.Path, include: false, renderStatement.With ?? renderStatement.For, renderStatement.Alias, renderStatement.AssignStatements);
        return base.VisitRenderStatement(renderStatement);
    }

    protected override Expression VisitMemberExpression(MemberExpression memberExpression)
    {
        ArgumentNullException.ThrowIfNull(memberExpression);
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

    private void Use(string name, bool include, Expression? bound, string? alias, IReadOnlyList<AssignStatement>? arguments)
    {
        var passed = (arguments ?? []).Select(a => a.Identifier).ToList();
        if (alias is not null)
        {
            passed.Add(alias);
        }
        else if (bound is not null)
        {
            passed.Add(name); // with/for without "as": the value takes the partial's name
        }

        Partials.Add(new PartialUse(name, include, passed));
    }

    private void Define(string name, Definition definition)
    {
        if (!Definitions.TryGetValue(name, out var list))
        {
            Definitions[name] = list = [];
        }

        list.Add(definition);
    }
}

/// <summary>One definition of a name: the value assigned (or the list a loop runs over), or text (capture, counters).</summary>
internal sealed record Definition(Expression? Source, bool IsLoop)
{
    public static Definition Text { get; } = new(null, IsLoop: false);
}

/// <summary>A partial named in an include or render tag, with the names the tag gives it.</summary>
internal sealed record PartialUse(string Name, bool IsInclude, IReadOnlyList<string> Passed);
