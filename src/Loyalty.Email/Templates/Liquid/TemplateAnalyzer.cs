using System.Text.RegularExpressions;
using Fluid;
using Fluid.Ast;
using Fluid.Values;
using Node = Loyalty.Email.Templates.TemplateModelShape.Node;

namespace Loyalty.Email.Templates.Liquid;

/// <summary>What a template may name: the model's shape, names it is given, the filters and partials that exist.</summary>
internal sealed record TemplateScope(
    TemplateModelShape Shape,
    IReadOnlySet<string> OpenNames,
    IReadOnlySet<string> Filters,
    IReadOnlySet<string>? Partials,
    bool UnknownVariablesAreErrors);

/// <summary>
/// Checks a parsed template against its <see cref="TemplateScope"/>, on Fluid's syntax tree: unknown variables, unknown
/// members of the model's values ("did you mean first_name?"), unknown filters and partials, each at file:line:col.
/// </summary>
internal sealed class TemplateAnalyzer : AstVisitor
{
    private static readonly HashSet<string> LanguageNames = new(StringComparer.Ordinal)
    {
        "forloop", "tablerowloop", "empty", "blank", "true", "false", "nil", "null", "content", "self",
    };

    private readonly TemplateSource _source;
    private readonly TemplateFacts _facts;
    private readonly TemplateScope _scope;
    private readonly List<TemplateDiagnostic> _diagnostics;
    private readonly HashSet<string> _resolving = new(StringComparer.Ordinal);
    private int _offset;

    private TemplateAnalyzer(TemplateSource source, TemplateFacts facts, TemplateScope scope, List<TemplateDiagnostic> diagnostics)
    {
        _source = source;
        _facts = facts;
        _scope = scope;
        _diagnostics = diagnostics;
    }

    public static void Check(TemplateSource source, IFluidTemplate template, TemplateFacts facts, TemplateScope scope, List<TemplateDiagnostic> diagnostics) =>
        new TemplateAnalyzer(source, facts, scope, diagnostics).VisitTemplate(template);

#pragma warning disable FLUID001 // statement locations: the nearest statement's offset anchors a finding's position
    public override Statement Visit(Statement statement)
    {
        var outer = _offset;
        if (statement is { SourceOffset: >= 0 })
        {
            _offset = statement.SourceOffset;
        }

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
        ArgumentNullException.ThrowIfNull(filterExpression);
        if (!_scope.Filters.Contains(filterExpression.Name))
        {
            Report(TemplateDiagnosticSeverity.Error, filterExpression.Name, $"unknown filter '{filterExpression.Name}'{Suggest(filterExpression.Name, _scope.Filters)}.");
        }

        return base.VisitFilterExpression(filterExpression);
    }

    // Fluid's own operators, not Liquid's: a template that uses them would not render anywhere else.
    protected override Expression VisitStartsWithBinaryExpression(Fluid.Ast.BinaryExpressions.StartsWithBinaryExpression startsWithBinaryExpression)
    {
        Report(TemplateDiagnosticSeverity.Error, "startswith", "'startswith' is not a Liquid operator: compare with {% if text contains 'x' %} or slice the string first.");
        return base.VisitStartsWithBinaryExpression(startsWithBinaryExpression);
    }

    protected override Expression VisitEndsWithBinaryExpression(Fluid.Ast.BinaryExpressions.EndsWithBinaryExpression endsWithBinaryExpression)
    {
        Report(TemplateDiagnosticSeverity.Error, "endswith", "'endswith' is not a Liquid operator: compare with {% if text contains 'x' %} or slice the string first.");
        return base.VisitEndsWithBinaryExpression(endsWithBinaryExpression);
    }

    protected override Statement VisitRenderStatement(RenderStatement renderStatement)
    {
        ArgumentNullException.ThrowIfNull(renderStatement);
        CheckPartial(renderStatement.Path);
        return base.VisitRenderStatement(renderStatement);
    }

    protected override Statement VisitIncludeStatement(IncludeStatement includeStatement)
    {
        ArgumentNullException.ThrowIfNull(includeStatement);
        if (includeStatement.Path is LiteralExpression { Value: StringValue name })
        {
            CheckPartial(name.ToStringValue(null!));
        }

        return base.VisitIncludeStatement(includeStatement);
    }

    protected override Expression VisitMemberExpression(MemberExpression memberExpression)
    {
        ArgumentNullException.ThrowIfNull(memberExpression);
        foreach (var indexer in memberExpression.Segments.OfType<IndexerSegment>())
        {
            Visit(indexer.Expression);
        }

        if (memberExpression.Segments[0] is not IdentifierSegment { Identifier: var root })
        {
            return memberExpression;
        }

        Node? node;
        if (_facts.Definitions.ContainsKey(root))
        {
            node = Defined(root);
        }
        else if (_scope.Shape.Root(root) is { } modelRoot)
        {
            node = modelRoot;
        }
        else if (_scope.OpenNames.Contains(root) || LanguageNames.Contains(root))
        {
            return memberExpression;
        }
        else
        {
            var roots = _scope.Shape.Roots.Concat(_scope.OpenNames).Order(StringComparer.Ordinal).ToList();
            Report(Severity, root, $"unknown variable '{root}'{Suggest(root, roots)}: a template sees {string.Join(", ", roots)} and what it assigns.");
            return memberExpression;
        }

        var path = root;
        for (var i = 1; i < memberExpression.Segments.Count && node is not null; i++)
        {
            var name = memberExpression.Segments[i] switch
            {
                IdentifierSegment identifier => identifier.Identifier,
                IndexerSegment { Expression: LiteralExpression { Value: StringValue key } } => key.ToStringValue(null!),
                _ => null,
            };
            if (name is null)
            {
                node = node.Items; // a list's item by index; a dictionary's member by a computed key is not checked
                path += "[]";
                continue;
            }

            node = Member(node, path, name);
            path += "." + name;
        }

        return memberExpression;
    }

    /// <summary>The value <paramref name="name"/> of <paramref name="node"/>, or null when it is not checked further.</summary>
    private Node? Member(Node node, string path, string name)
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

        var known = node.Members?.Keys.Order(StringComparer.Ordinal).ToList() ?? [];
        var detail = node.Items is not null
            ? $"{path} is a list: loop over it with {{% for item in {path} %}} or read {path}.first"
            : known.Count == 0
                ? $"{path} is a plain value without members"
                : $"{path} has {string.Join(", ", known)}";
        Report(Severity, name, $"unknown member '{name}' of {path}{Suggest(name, known)}: {detail}.");
        return null;
    }

    /// <summary>The shape of a name the template defines, when every definition gives it the same one.</summary>
    private Node? Defined(string name)
    {
        if (!_resolving.Add(name))
        {
            return null;
        }

        try
        {
            Node? shape = null;
            foreach (var definition in _facts.Definitions[name])
            {
                var value = definition.Source is MemberExpression member ? ShapeOf(member) : null;
                var defined = definition.IsLoop ? value?.Items : value;
                if (defined is null || (shape is not null && !ReferenceEquals(shape, defined)))
                {
                    return null;
                }

                shape = defined;
            }

            return shape;
        }
        finally
        {
            _resolving.Remove(name);
        }
    }

    /// <summary>The shape a member expression reads, without reporting anything (null: unknown or not checked).</summary>
    private Node? ShapeOf(MemberExpression expression)
    {
        if (expression.Segments[0] is not IdentifierSegment { Identifier: var root })
        {
            return null;
        }

        var node = _facts.Definitions.ContainsKey(root) ? Defined(root) : _scope.Shape.Root(root);
        for (var i = 1; i < expression.Segments.Count && node is not null; i++)
        {
            node = expression.Segments[i] switch
            {
                IdentifierSegment { Identifier: "first" or "last" } => node.Items,
                IdentifierSegment identifier when !node.IsOpen => node.Members?.GetValueOrDefault(identifier.Identifier),
                IndexerSegment { Expression: LiteralExpression { Value: NumberValue } } => node.Items,
                _ => null,
            };
        }

        return node;
    }

    private void CheckPartial(string name)
    {
        if (_scope.Partials is { } partials && !partials.Contains(name))
        {
            Report(TemplateDiagnosticSeverity.Error, name, $"no partial named '{name}' in _partials{Suggest(name, partials)}.");
        }
    }

    private TemplateDiagnosticSeverity Severity => _scope.UnknownVariablesAreErrors ? TemplateDiagnosticSeverity.Error : TemplateDiagnosticSeverity.Warning;

    private void Report(TemplateDiagnosticSeverity severity, string word, string message)
    {
        var (line, column) = TemplatePositions.Of(_source.Text, TemplatePositions.Find(_source.Text, word, _offset));
        _diagnostics.Add(new TemplateDiagnostic(_source.File, line, column, severity, message));
    }

    /// <summary>", did you mean 'first_name'?" for the closest known name within two edits, else nothing.</summary>
    private static string Suggest(string name, IEnumerable<string> known)
    {
        var best = known.Select(k => (Name: k, Distance: Edits(name, k))).Where(k => k.Distance <= Math.Max(1, Math.Min(2, name.Length / 3)))
            .OrderBy(k => k.Distance).ThenBy(k => k.Name, StringComparer.Ordinal).FirstOrDefault();
        return best.Name is null ? string.Empty : $" (did you mean '{best.Name}'?)";
    }

    /// <summary>Levenshtein distance, with a swap of two neighbours counted as one edit.</summary>
    private static int Edits(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (var i = 0; i <= a.Length; i++)
        {
            d[i, 0] = i;
        }

        for (var j = 0; j <= b.Length; j++)
        {
            d[0, j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                {
                    d[i, j] = Math.Min(d[i, j], d[i - 2, j - 2] + 1);
                }
            }
        }

        return d[a.Length, b.Length];
    }
}

/// <summary>Line and column of a finding in a template's source.</summary>
internal static class TemplatePositions
{
    /// <summary>Where <paramref name="word"/> first stands as a whole word at or after <paramref name="from"/>, else <paramref name="from"/>.</summary>
    public static int Find(string text, string word, int from)
    {
        from = Math.Clamp(from, 0, text.Length);
        var match = Regex.Match(text[from..], @"(?<![\w-])" + Regex.Escape(word) + @"(?![\w-])", RegexOptions.None, TimeSpan.FromSeconds(1));
        return match.Success ? from + match.Index : from;
    }

    /// <summary>1-based line and column of <paramref name="offset"/>.</summary>
    public static (int Line, int Column) Of(string text, int offset)
    {
        var line = 1;
        var lineStart = 0;
        for (var i = 0; i < offset && i < text.Length; i++)
        {
            if (text[i] == '\n')
            {
                line++;
                lineStart = i + 1;
            }
        }

        return (line, offset - lineStart + 1);
    }
}
