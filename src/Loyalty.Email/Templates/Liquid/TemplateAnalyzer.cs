using Fluid;
using Fluid.Ast;
using Fluid.Ast.BinaryExpressions;
using Fluid.Values;
using Node = Loyalty.Email.Templates.TemplateModelShape.Node;

namespace Loyalty.Email.Templates.Liquid;

/// <summary>What a template may name: the model's shape, names it is given, the filters and partials that exist.</summary>
internal sealed record TemplateScope(TemplateModelShape Shape, IReadOnlySet<string> OpenNames, IReadOnlySet<string> Filters, IReadOnlySet<string> Partials, bool UnknownVariablesAreErrors);

/// <summary>
/// Checks a parsed template against its <see cref="TemplateScope"/>, on Fluid's syntax tree: unknown variables, unknown
/// members of the model's values ("did you mean first_name?"), unknown filters and partials, each at file:line:col.
/// </summary>
internal sealed class TemplateAnalyzer : AstVisitor
{
    private static readonly HashSet<string> LanguageNames = ["forloop", "tablerowloop", "empty", "blank", "true", "false", "nil", "null", "content", "self"];

    private readonly TemplateSource _source;
    private readonly TemplateFacts _facts;
    private readonly TemplateScope _scope;
    private readonly List<TemplateDiagnostic> _diagnostics;
    private readonly HashSet<string> _resolving = new(StringComparer.Ordinal);
    private int _offset;

    private TemplateAnalyzer(TemplateSource source, TemplateFacts facts, TemplateScope scope, List<TemplateDiagnostic> diagnostics) =>
        (_source, _facts, _scope, _diagnostics) = (source, facts, scope, diagnostics);

    public static void Check(TemplateSource source, IFluidTemplate template, TemplateFacts facts, TemplateScope scope, List<TemplateDiagnostic> diagnostics) =>
        new TemplateAnalyzer(source, facts, scope, diagnostics).VisitTemplate(template);

    private TemplateDiagnosticSeverity Severity => _scope.UnknownVariablesAreErrors ? TemplateDiagnosticSeverity.Error : TemplateDiagnosticSeverity.Warning;

#pragma warning disable FLUID001 // statement locations: the nearest statement's offset anchors a finding's position
    public override Statement Visit(Statement statement)
    {
        var outer = _offset;
        _offset = statement is { SourceOffset: >= 0 } ? statement.SourceOffset : outer;
        try
        {
            return base.Visit(statement);
        }
        finally
        {
            _offset = outer;
        }
    }
#pragma warning restore FLUID001

    protected override Expression VisitFilterExpression(FilterExpression filterExpression)
    {
        if (!_scope.Filters.Contains(filterExpression.Name))
        {
            Report(TemplateDiagnosticSeverity.Error, filterExpression.Name, $"unknown filter '{filterExpression.Name}'{NameSuggestions.For(filterExpression.Name, _scope.Filters)}.");
        }

        return base.VisitFilterExpression(filterExpression);
    }

    // Fluid's own operators, not Liquid's: a template that used them would render nowhere else.
    protected override Expression VisitStartsWithBinaryExpression(StartsWithBinaryExpression startsWithBinaryExpression) =>
        NotLiquid("startswith", base.VisitStartsWithBinaryExpression(startsWithBinaryExpression));

    protected override Expression VisitEndsWithBinaryExpression(EndsWithBinaryExpression endsWithBinaryExpression) =>
        NotLiquid("endswith", base.VisitEndsWithBinaryExpression(endsWithBinaryExpression));

    protected override Statement VisitRenderStatement(RenderStatement renderStatement) =>
        CheckPartial(renderStatement.Path, base.VisitRenderStatement(renderStatement));

    protected override Statement VisitIncludeStatement(IncludeStatement includeStatement) =>
        CheckPartial(TemplateFacts.LiteralName(includeStatement.Path), base.VisitIncludeStatement(includeStatement));

    protected override Expression VisitMemberExpression(MemberExpression memberExpression)
    {
        foreach (var indexer in memberExpression.Segments.OfType<IndexerSegment>())
        {
            Visit(indexer.Expression);
        }

        Walk(memberExpression, report: true);
        return memberExpression;
    }

    /// <summary>
    /// The shape a member expression reads, following the model's shape member by member (null: not known, or not
    /// checked further); with <paramref name="report"/>, an unknown variable or member is reported.
    /// </summary>
    private Node? Walk(MemberExpression expression, bool report)
    {
        if (expression.Segments[0] is not IdentifierSegment { Identifier: var root })
        {
            return null;
        }

        var node = _facts.Definitions.ContainsKey(root) ? Defined(root) : _scope.Shape.Root(root);
        if (node is null && report && !_facts.Definitions.ContainsKey(root) && !_scope.OpenNames.Contains(root) && !LanguageNames.Contains(root))
        {
            var roots = _scope.Shape.Roots.Concat(_scope.OpenNames).Order(StringComparer.Ordinal).ToList();
            Report(Severity, root, $"unknown variable '{root}'{NameSuggestions.For(root, roots)}: a template sees {string.Join(", ", roots)} and what it assigns.");
        }

        var path = root;
        for (var i = 1; i < expression.Segments.Count; i++)
        {
            if (node is null)
            {
                break;
            }

            var name = expression.Segments[i] switch
            {
                IdentifierSegment identifier => identifier.Identifier,
                IndexerSegment { Expression: LiteralExpression { Value: StringValue key } } => key.ToStringValue(null!),
                _ => null, // an item by index: a list's item; a member by a computed key: not checked
            };
            node = name is null ? node.Items : Member(node, path, name, report);
            path += name is null ? "[]" : "." + name;
        }

        return node;
    }

    private Node? Member(Node node, string path, string name, bool report)
    {
        if (node.IsOpen || name == "size")
        {
            return null;
        }

        if (name is "first" or "last")
        {
            return node.Items;
        }

        if (node.Members?.GetValueOrDefault(name) is { } member)
        {
            return member;
        }

        if (report)
        {
            var known = node.Members?.Keys.Order(StringComparer.Ordinal).ToList() ?? [];
            var detail = node.Items is not null ? $"{path} is a list: loop over it with {{% for item in {path} %}} or read {path}.first"
                : known.Count == 0 ? $"{path} is a plain value without members"
                : $"{path} has {string.Join(", ", known)}";
            Report(Severity, name, $"unknown member '{name}' of {path}{NameSuggestions.For(name, known)}: {detail}.");
        }

        return null;
    }

    /// <summary>The shape of a name the template defines, when every definition gives it the same one.</summary>
    private Node? Defined(string name)
    {
        if (!_resolving.Add(name))
        {
            return null; // defined from itself
        }

        try
        {
            var shapes = _facts.Definitions[name]
                .Select(d => d.Source is MemberExpression member && Walk(member, report: false) is { } value ? (d.IsLoop ? value.Items : value) : null)
                .Distinct().ToList();
            return shapes.Count == 1 ? shapes[0] : null;
        }
        finally
        {
            _resolving.Remove(name);
        }
    }

    private Statement CheckPartial(string? name, Statement visited)
    {
        if (name is not null && !_scope.Partials.Contains(name))
        {
            Report(TemplateDiagnosticSeverity.Error, name, $"no partial named '{name}' in _partials{NameSuggestions.For(name, _scope.Partials)}.");
        }

        return visited;
    }

    private Expression NotLiquid(string word, Expression expression)
    {
        Report(TemplateDiagnosticSeverity.Error, word, $"'{word}' is not a Liquid operator: write {{% if text contains 'x' %}} or compare a slice of the string.");
        return expression;
    }

    private void Report(TemplateDiagnosticSeverity severity, string word, string message)
    {
        var (line, column) = TemplatePositions.Of(_source.Text, TemplatePositions.Find(_source.Text, word, _offset));
        _diagnostics.Add(new TemplateDiagnostic(_source.File, line, column, severity, message));
    }
}
