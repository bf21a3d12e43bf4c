using System.Text;
using System.Text.RegularExpressions;

namespace Loyalty.Email.Templates.Scriban;

/// <summary>
/// Rewrites Liquid as Shopify's engine reads it into Liquid that Scriban's parser reads the same way, before parsing:
/// whitespace control with Ruby's trimming, inline and nested comments, <c>doc</c>, <c>{% liquid %}</c>, <c>echo</c>,
/// <c>render</c> (isolated scope, <c>with</c>/<c>for</c>/<c>as</c>), counters, <c>case</c> with several values or
/// elses, extra <c>else</c> blocks, blocks that hold only whitespace, comma-separated <c>for</c> arguments and negative
/// filter arguments. Lines are kept: newlines a rewrite removes come back inside an empty comment, so that file:line
/// in diagnostics still points at the source the integrator wrote.
/// </summary>
internal static partial class LiquidSourceRewriter
{
    /// <summary>Internal counter filter the <c>increment</c>/<c>decrement</c> tags become.</summary>
    public const string IncrementFunction = "liquid_increment";

    /// <summary>Internal counter filter the <c>decrement</c> tag becomes.</summary>
    public const string DecrementFunction = "liquid_decrement";

    /// <summary>Marker argument of <c>default</c> that stands for Liquid's <c>allow_false:</c> keyword.</summary>
    public const string AllowFalseMarker = "allow_false:";

    /// <summary>Ruby Liquid's nesting limit; deeper templates are refused (and the rewriter's recursion stays bounded).</summary>
    private const int MaxDepth = 100;

    private static readonly HashSet<string> BlockTags = new(StringComparer.Ordinal) { "if", "unless", "case", "for", "tablerow", "capture", "ifchanged" };

    private static readonly HashSet<string> BlankRemovingBlocks = new(StringComparer.Ordinal) { "if", "unless", "case", "for" };

    [GeneratedRegex(@"\{%-?\s*endraw\s*(-?)%\}", RegexOptions.None, matchTimeoutMilliseconds: 1000)]
    private static partial Regex EndRaw();

    [GeneratedRegex(@"\{%-?\s*enddoc\s*(-?)%\}", RegexOptions.None, matchTimeoutMilliseconds: 1000)]
    private static partial Regex EndDoc();

    [GeneratedRegex(@"(?<=[:,]\s*)-\d+(?:\.\d+)?", RegexOptions.None, matchTimeoutMilliseconds: 1000)]
    private static partial Regex NegativeArgument();

    [GeneratedRegex(@"\ballow_false\s*:", RegexOptions.None, matchTimeoutMilliseconds: 1000)]
    private static partial Regex AllowFalse();

    [GeneratedRegex(@"^\s*(\w+)\s*:\s*(.*)$", RegexOptions.Singleline, matchTimeoutMilliseconds: 1000)]
    private static partial Regex KeywordArgument();

    [GeneratedRegex(@"^(['""][^'""]+['""])\s+with\s+(.+?)\s+as\s+(\w+)\s*(.*)$", RegexOptions.Singleline, matchTimeoutMilliseconds: 1000)]
    private static partial Regex IncludeWithAlias();

    [GeneratedRegex(@"^(.*?)\s+as\s+(\w+)\s*$", RegexOptions.Singleline, matchTimeoutMilliseconds: 1000)]
    private static partial Regex Alias();

    private enum Kind
    {
        Text,
        Output,
        Tag,
        Raw,
        Dropped,
    }

    private sealed class Token
    {
        public Kind Kind { get; init; }

        public string Text { get; set; } = string.Empty;

        public string Name { get; set; } = string.Empty;

        public string Args { get; set; } = string.Empty;

        public bool TrimLeft { get; init; }

        public bool TrimRight { get; init; }

        /// <summary>Newlines of the original source this token stands for.</summary>
        public int Newlines { get; set; }
    }

    private sealed class Block
    {
        public required Token Open { get; init; }

        public List<(Token Tag, List<object> Body)> Branches { get; } = [];

        public Token? Close { get; set; }
    }

    /// <summary>
    /// The source rewritten; <paramref name="error"/> says what Liquid refuses that Scriban would accept (an unclosed
    /// comment, doc or raw block, an unclosed tag, a malformed inline comment or liquid tag), with its line.
    /// </summary>
    public static string Rewrite(string source, out LiquidSyntaxError? error)
    {
        ArgumentNullException.ThrowIfNull(source);
        error = null;
        if (!source.Contains('{', StringComparison.Ordinal))
        {
            return source;
        }

        var tokens = Lex(source, out error);
        if (tokens is null)
        {
            return source;
        }

        ApplyWhitespaceControl(tokens);
        tokens = Expand(tokens, ref error);
        var output = new StringBuilder(source.Length + 64);
        var state = new EmitState(output);
        var position = 0;
        var tree = BuildBody(tokens, ref position, null, 0);
        if (tree is null && error is null && position < 0)
        {
            error = new LiquidSyntaxError(0, $"blocks are nested more than {MaxDepth} deep.");
            return source;
        }

        if (tree is null || position != tokens.Count)
        {
            foreach (var token in tokens)
            {
                Emit(token, state);
            }
        }
        else
        {
            Transform(tree, state, insideFor: false);
            EmitNodes(tree, state);
            error ??= state.Error;
        }

        state.Flush();
        return output.ToString();
    }

    private static List<Token>? Lex(string s, out LiquidSyntaxError? error)
    {
        error = null;
        int Line(int at) => Count(s, 0, at) + 1;
        var tokens = new List<Token>();
        var i = 0;
        while (i < s.Length)
        {
            var open = NextDelimiter(s, i);
            if (open < 0)
            {
                tokens.Add(new Token { Kind = Kind.Text, Text = s[i..], Newlines = Count(s, i, s.Length) });
                break;
            }

            if (open > i)
            {
                tokens.Add(new Token { Kind = Kind.Text, Text = s[i..open], Newlines = Count(s, i, open) });
            }

            var isOutput = s[open + 1] == '{';
            var close = s.IndexOf(isOutput ? "}}" : "%}", open + 2, StringComparison.Ordinal);
            if (close < 0)
            {
                error = new LiquidSyntaxError(Line(open), (isOutput ? "'{{' is never closed: add '}}'." : "'{%' is never closed: add '%}'."));
                return null;
            }

            var inner = s[(open + 2)..close];
            var trimLeft = inner.StartsWith('-');
            var trimRight = inner.Length > (trimLeft ? 1 : 0) && inner.EndsWith('-');
            var markup = inner[(trimLeft ? 1 : 0)..(inner.Length - (trimRight ? 1 : 0))].Trim();
            var end = close + 2;
            if (isOutput)
            {
                tokens.Add(new Token { Kind = Kind.Output, Text = markup, TrimLeft = trimLeft, TrimRight = trimRight, Newlines = Count(s, open, end) });
                i = end;
                continue;
            }

            if (markup.StartsWith('#'))
            {
                if (markup.Split('\n').Any(l => l.Trim().Length > 0 && !l.Trim().StartsWith('#')))
                {
                    error = new LiquidSyntaxError(Line(open), "every line of an inline comment starts with '#'.");
                    return null;
                }

                tokens.Add(new Token { Kind = Kind.Dropped, TrimLeft = trimLeft, TrimRight = trimRight, Newlines = Count(s, open, end) });
                i = end;
                continue;
            }

            var (name, args) = SplitTag(markup);
            switch (name)
            {
                case "raw":
                    {
                        var match = EndRaw().Match(s, end);
                        if (!match.Success)
                        {
                            error = new LiquidSyntaxError(Line(open), "{% raw %} is never closed: add {% endraw %}.");
                            return null;
                        }

                        var after = match.Index + match.Length;
                        tokens.Add(new Token { Kind = Kind.Raw, Text = s[end..match.Index], TrimLeft = trimLeft, TrimRight = match.Groups[1].Length > 0, Newlines = Count(s, open, after) });
                        i = after;
                        continue;
                    }

                case "doc":
                    {
                        var match = EndDoc().Match(s, end);
                        var nested = false;
                        for (var scan = end; match.Success && NextTag(s, scan) is var (tagName, tagEnd, _) && tagEnd > 0 && tagEnd <= match.Index; scan = tagEnd)
                        {
                            nested |= tagName == "doc";
                        }

                        if (!match.Success || args.Length > 0 || nested)
                        {
                            error = new LiquidSyntaxError(Line(open), (!match.Success ? "{% doc %} is never closed: add {% enddoc %}." : args.Length > 0 ? "{% doc %} takes no arguments." : "{% doc %} blocks cannot be nested."));
                            return null;
                        }

                        var after = match.Index + match.Length;
                        tokens.Add(new Token { Kind = Kind.Dropped, TrimLeft = trimLeft, TrimRight = match.Groups[1].Length > 0, Newlines = Count(s, open, after) });
                        i = after;
                        continue;
                    }

                case "comment":
                    {
                        var (after, closeTrims) = SkipComment(s, end);
                        if (after < 0)
                        {
                            error = new LiquidSyntaxError(Line(open), "{% comment %} is never closed: add {% endcomment %}.");
                            return null;
                        }

                        tokens.Add(new Token { Kind = Kind.Dropped, TrimLeft = trimLeft, TrimRight = closeTrims, Newlines = Count(s, open, after) });
                        i = after;
                        continue;
                    }

                default:
                    tokens.Add(new Token { Kind = Kind.Tag, Name = name, Args = args, TrimLeft = trimLeft, TrimRight = trimRight, Newlines = Count(s, open, end) });
                    i = end;
                    continue;
            }
        }

        return tokens;
    }

    private static int NextDelimiter(string s, int from)
    {
        for (var at = s.IndexOf('{', from); at >= 0 && at + 1 < s.Length; at = s.IndexOf('{', at + 1))
        {
            if (s[at + 1] is '{' or '%')
            {
                return at;
            }
        }

        return -1;
    }

    /// <summary>Skips a comment body: comments nest, and a raw block inside a comment hides what it holds.</summary>
    private static (int After, bool TrimRight) SkipComment(string s, int from)
    {
        var depth = 1;
        var at = from;
        while (NextTag(s, at) is var (name, end, trimRight) && end > 0)
        {
            at = end;
            switch (name)
            {
                case "comment":
                    depth++;
                    break;
                case "endcomment":
                    if (--depth == 0)
                    {
                        return (at, trimRight);
                    }

                    break;
                case "raw":
                    var endRaw = EndRaw().Match(s, at);
                    if (!endRaw.Success)
                    {
                        return (-1, false);
                    }

                    at = endRaw.Index + endRaw.Length;
                    break;
            }
        }

        return (-1, false);
    }

    /// <summary>The next <c>{% name ... %}</c> from <paramref name="from"/>: its name, the index after it (0 when none) and its right trim.</summary>
    private static (string Name, int End, bool TrimRight) NextTag(string s, int from)
    {
        var open = s.IndexOf("{%", from, StringComparison.Ordinal);
        var close = open < 0 ? -1 : s.IndexOf("%}", open + 2, StringComparison.Ordinal);
        if (close < 0)
        {
            return (string.Empty, 0, false);
        }

        var inner = s[(open + 2)..close];
        return (SplitTag(inner.TrimStart('-').Trim()).Name, close + 2, inner.EndsWith('-'));
    }

    private static (string Name, string Args) SplitTag(string markup)
    {
        var length = 0;
        while (length < markup.Length && (char.IsAsciiLetterOrDigit(markup[length]) || markup[length] == '_'))
        {
            length++;
        }

        return (markup[..length], markup[length..].Trim());
    }

    private static int Count(string s, int from, int to)
    {
        var count = 0;
        for (var i = from; i < to; i++)
        {
            if (s[i] == '\n')
            {
                count++;
            }
        }

        return count;
    }

    /// <summary>Ruby Liquid's <c>{%-</c>/<c>-%}</c>: strips every whitespace character of the neighbouring text.</summary>
    private static void ApplyWhitespaceControl(List<Token> tokens)
    {
        for (var i = 0; i < tokens.Count; i++)
        {
            var token = tokens[i];
            if (token.Kind == Kind.Text)
            {
                continue;
            }

            if (token.TrimLeft && i > 0 && tokens[i - 1].Kind == Kind.Text)
            {
                tokens[i - 1].Text = tokens[i - 1].Text.TrimEnd(RubyWhitespace);
            }

            if (token.TrimRight && i + 1 < tokens.Count && tokens[i + 1].Kind == Kind.Text)
            {
                tokens[i + 1].Text = tokens[i + 1].Text.TrimStart(RubyWhitespace);
            }
        }
    }

    private static readonly char[] RubyWhitespace = [' ', '\t', '\n', '\r', '\f', '\v'];

    /// <summary>Expands <c>{% liquid %}</c> into one tag per line and turns tags Scriban reads differently into ones it reads alike.</summary>
    private static List<Token> Expand(List<Token> tokens, ref LiquidSyntaxError? error)
    {
        var result = new List<Token>(tokens.Count);
        foreach (var token in tokens)
        {
            if (token.Kind == Kind.Tag && token.Name == "liquid")
            {
                var lines = new List<Token>();
                ExpandLiquid(token.Args, lines, 0);
                if (!Balanced(lines))
                {
                    error ??= new LiquidSyntaxError(0, "a {% liquid %} tag must close every block it opens, and only those.");
                }

                result.AddRange(lines.Select(Normalise));
                result.Add(new Token { Kind = Kind.Dropped, Newlines = token.Newlines });
                continue;
            }

            result.Add(token.Kind is Kind.Tag or Kind.Output ? Normalise(token) : token);
        }

        return result;
    }

    private static bool Balanced(List<Token> lines)
    {
        var open = new Stack<string>();
        foreach (var line in lines)
        {
            if (BlockTags.Contains(line.Name))
            {
                open.Push(line.Name);
            }
            else if (line.Name.StartsWith("end", StringComparison.Ordinal) && BlockTags.Contains(line.Name[3..]))
            {
                if (open.Count == 0 || open.Pop() != line.Name[3..])
                {
                    return false;
                }
            }
        }

        return open.Count == 0;
    }

    private static void ExpandLiquid(string markup, List<Token> into, int depth)
    {
        if (depth > MaxDepth)
        {
            into.Add(new Token { Kind = Kind.Tag, Name = "liquid", Args = "nested too deep" }); // unbalanced on purpose: refused
            into.Add(new Token { Kind = Kind.Tag, Name = "endif" });
            return;
        }

        var commentDepth = 0;
        foreach (var raw in markup.Split('\n'))
        {
            var line = raw.Trim();
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }

            var (name, args) = SplitTag(line);
            if (commentDepth > 0)
            {
                commentDepth += name == "comment" ? 1 : name == "endcomment" ? -1 : 0;
                continue;
            }

            switch (name)
            {
                case "comment":
                    commentDepth++;
                    break;
                case "liquid":
                    ExpandLiquid(args, into, depth + 1);
                    break;
                default:
                    into.Add(new Token { Kind = Kind.Tag, Name = name, Args = args });
                    break;
            }
        }
    }

    private static Token Normalise(Token token)
    {
        if (token.Kind == Kind.Output)
        {
            token.Text = Expression(token.Text);
            return token;
        }

        switch (token.Name)
        {
            case "echo":
                return token.Args.Length == 0
                    ? new Token { Kind = Kind.Dropped, Newlines = token.Newlines }
                    : new Token { Kind = Kind.Output, Text = Expression(token.Args), Newlines = token.Newlines };
            case "increment":
            case "decrement":
                return new Token
                {
                    Kind = Kind.Output,
                    Text = $"'{token.Args.Trim()}' | {(token.Name == "increment" ? IncrementFunction : DecrementFunction)}",
                    Newlines = token.Newlines,
                };
            case "else":
                token.Args = string.Empty; // Liquid ignores an expression after else
                return token;
            case "for":
            case "tablerow":
                token.Args = MapCode(Expression(token.Args), code => code.Replace(',', ' '));
                return token;
            case "include":
                token.Args = WithoutCommaAfterName(Expression(token.Args));
                if (IncludeWithAlias().Match(token.Args) is { Success: true } alias)
                {
                    // include 'x' with value as name: Scriban reads the same as the keyword argument name: value.
                    var rest = alias.Groups[4].Value.Trim().TrimStart(',').Trim();
                    token.Args = $"{alias.Groups[1].Value} {alias.Groups[3].Value}: ({alias.Groups[2].Value}){(rest.Length > 0 ? ", " + rest : string.Empty)}";
                }

                return token;
            case "render":
                token.Args = RenderArguments(token.Args) ?? token.Args;
                return token;
            default:
                token.Args = Expression(token.Args);
                return token;
        }
    }

    /// <summary>Rewrites inside an expression (never inside its quoted strings).</summary>
    private static string Expression(string markup) => MapCode(markup, code =>
    {
        code = code.Replace('\n', ' ').Replace('\r', ' ').Replace('\t', ' ').Replace("<>", "!=", StringComparison.Ordinal);
        code = NegativeArgument().Replace(code, m => "(" + m.Value + ")");
        return AllowFalse().Replace(code, "'" + AllowFalseMarker + "',");
    });

    /// <summary>Applies <paramref name="map"/> to the parts of <paramref name="markup"/> outside quoted strings.</summary>
    private static string MapCode(string markup, Func<string, string> map)
    {
        var builder = new StringBuilder(markup.Length + 8);
        var start = 0;
        for (var i = 0; i < markup.Length; i++)
        {
            if (markup[i] is '\'' or '"')
            {
                var closing = markup.IndexOf(markup[i], i + 1);
                if (closing < 0)
                {
                    break;
                }

                builder.Append(map(markup[start..i])).Append(markup, i, closing - i + 1);
                i = closing;
                start = closing + 1;
            }
        }

        return builder.Append(map(markup[start..])).ToString();
    }

    private static string WithoutCommaAfterName(string args)
    {
        if (args.Length > 0 && args[0] is '\'' or '"')
        {
            var closing = args.IndexOf(args[0], 1);
            if (closing > 0)
            {
                var rest = args[(closing + 1)..].TrimStart();
                if (rest.StartsWith(','))
                {
                    return args[..(closing + 1)] + " " + rest[1..].TrimStart();
                }
            }
        }

        return args;
    }

    /// <summary>
    /// <c>'name' [with|for expr] [as alias] [, key: value]...</c> as positional arguments of the <c>render</c> function:
    /// <c>'name' 'with:' (expr) 'as:' 'alias' 'key' (value)</c> (a key never ends with a colon, so markers cannot clash).
    /// </summary>
    private static string? RenderArguments(string args)
    {
        if (args.Length == 0 || args[0] is not ('\'' or '"'))
        {
            return null;
        }

        var closing = args.IndexOf(args[0], 1);
        if (closing < 0)
        {
            return null;
        }

        var builder = new StringBuilder(args[..(closing + 1)]);
        var parts = SplitTopLevel(args[(closing + 1)..].Trim().TrimStart(',').Trim());
        for (var p = 0; p < parts.Count; p++)
        {
            var part = parts[p].Trim();
            if (part.Length == 0)
            {
                continue;
            }

            if (p == 0 && (part.StartsWith("with ", StringComparison.Ordinal) || part.StartsWith("for ", StringComparison.Ordinal)))
            {
                var keyword = part.StartsWith('w') ? "with" : "for";
                var rest = part[keyword.Length..].Trim();
                string? keywordArgument = null;
                var keywordAt = FirstKeyword(rest);
                if (keywordAt > 0)
                {
                    keywordArgument = rest[keywordAt..];
                    rest = rest[..keywordAt].Trim();
                }

                var alias = Alias().Match(rest);
                var value = alias.Success ? alias.Groups[1].Value : rest;
                builder.Append(" '").Append(keyword).Append(":' (").Append(Expression(value)).Append(')');
                if (alias.Success)
                {
                    builder.Append(" 'as:' '").Append(alias.Groups[2].Value).Append('\'');
                }

                if (keywordArgument is null)
                {
                    continue;
                }

                part = keywordArgument;
            }

            var keywordMatch = KeywordArgument().Match(part);
            if (!keywordMatch.Success)
            {
                return null;
            }

            builder.Append(" '").Append(keywordMatch.Groups[1].Value).Append("' (").Append(Expression(keywordMatch.Groups[2].Value)).Append(')');
        }

        return builder.ToString();
    }

    /// <summary>Index of a <c>key:</c> following the bound expression without a comma (<c>with x key: 1</c>), or -1.</summary>
    private static int FirstKeyword(string rest)
    {
        var found = -1;
        for (var i = 1; i < rest.Length; i++)
        {
            if (rest[i] == ':' && found < 0)
            {
                var start = i - 1;
                while (start >= 0 && (char.IsAsciiLetterOrDigit(rest[start]) || rest[start] == '_'))
                {
                    start--;
                }

                if (start >= 0 && rest[start] == ' ' && start + 1 < i)
                {
                    found = start + 1;
                }
            }
        }

        return found;
    }

    private static List<string> SplitTopLevel(string text)
    {
        var parts = new List<string>();
        var depth = 0;
        var start = 0;
        for (var i = 0; i < text.Length; i++)
        {
            switch (text[i])
            {
                case '\'' or '"':
                    var closing = text.IndexOf(text[i], i + 1);
                    i = closing < 0 ? text.Length - 1 : closing;
                    break;
                case '(' or '[':
                    depth++;
                    break;
                case ')' or ']':
                    depth--;
                    break;
                case ',' when depth == 0:
                    parts.Add(text[start..i]);
                    start = i + 1;
                    break;
            }
        }

        parts.Add(text[start..]);
        return parts;
    }

    // ---- Blocks -------------------------------------------------------------------------------------------------

    private static string? EndOf(string name) => BlockTags.Contains(name) ? "end" + name : null;

    /// <summary>Reads nodes (tokens and blocks) until a tag in <paramref name="stops"/>; null when blocks do not balance.</summary>
    private static List<object>? BuildBody(List<Token> tokens, ref int position, HashSet<string>? stops, int depth)
    {
        if (depth > MaxDepth)
        {
            position = -1;
            return null;
        }

        var body = new List<object>();
        while (position < tokens.Count)
        {
            var token = tokens[position];
            if (token.Kind == Kind.Tag && stops is not null && stops.Contains(token.Name))
            {
                return body;
            }

            position++;
            if (token.Kind == Kind.Tag && EndOf(token.Name) is { } end)
            {
                var block = new Block { Open = token };
                var branchStops = new HashSet<string>(StringComparer.Ordinal) { end, "else" };
                if (token.Name is "if" or "unless")
                {
                    branchStops.Add("elsif");
                }

                if (token.Name == "case")
                {
                    branchStops.Add("when");
                }

                var branchTag = token;
                while (true)
                {
                    var branch = BuildBody(tokens, ref position, branchStops, depth + 1);
                    if (branch is null || position < 0 || position >= tokens.Count)
                    {
                        return null;
                    }

                    block.Branches.Add((branchTag, branch));
                    branchTag = tokens[position++];
                    if (branchTag.Name == end)
                    {
                        block.Close = branchTag;
                        break;
                    }
                }

                body.Add(block);
                continue;
            }

            if (token.Kind == Kind.Tag && token.Name.StartsWith("end", StringComparison.Ordinal) && BlockTags.Contains(token.Name[3..]))
            {
                return null; // an end tag without its block: let Scriban report it
            }

            body.Add(token);
        }

        return stops is null ? body : null;
    }

    private static void Transform(List<object> body, EmitState state, bool insideFor)
    {
        for (var i = 0; i < body.Count; i++)
        {
            if (body[i] is not Block block)
            {
                continue;
            }

            if (block.Open.Name == "ifchanged" && !insideFor)
            {
                // Scriban's ifchanged only works inside a loop; outside one it would render nothing.
                state.Error ??= new LiquidSyntaxError(0, "{% ifchanged %} works only inside a {% for %} loop: outside one, write the value directly.");
            }

            foreach (var (_, branch) in block.Branches)
            {
                Transform(branch, state, insideFor || block.Open.Name is "for" or "tablerow");
            }

            if (block.Open.Name is "if" or "unless")
            {
                var firstElse = block.Branches.FindIndex(b => b.Tag.Name == "else");
                if (firstElse >= 0 && firstElse < block.Branches.Count - 1)
                {
                    // Liquid ignores elsif and else blocks after the first else.
                    var dropped = block.Branches.Skip(firstElse + 1).Sum(b => b.Tag.Newlines + NewlinesIn(b.Body));
                    block.Branches.RemoveRange(firstElse + 1, block.Branches.Count - firstElse - 1);
                    block.Close!.Newlines += dropped;
                }
            }

            if (BlankRemovingBlocks.Contains(block.Open.Name) && IsBlank(block))
            {
                foreach (var (_, branch) in block.Branches)
                {
                    foreach (var text in branch.OfType<Token>().Where(t => t.Kind == Kind.Text))
                    {
                        text.Text = string.Empty; // its Newlines still count the source's lines
                    }
                }
            }

            if (block.Open.Name == "case" && NeedsCaseRewrite(block))
            {
                body[i] = RewriteCase(block, state);
            }
        }
    }

    private static int NewlinesIn(List<object> body) =>
        body.Sum(n => n is Token t ? t.Newlines : n is Block b ? b.Open.Newlines + (b.Close?.Newlines ?? 0) + b.Branches.Skip(1).Sum(x => x.Tag.Newlines) + b.Branches.Sum(x => NewlinesIn(x.Body)) : 0);

    private static bool IsBlank(Block block) => block.Branches.All(b => b.Body.All(IsBlankNode));

    private static bool IsBlankNode(object node) => node switch
    {
        Token { Kind: Kind.Text } t => t.Text.AsSpan().TrimStart(RubyWhitespace).IsEmpty,
        Token { Kind: Kind.Dropped } => true,
        Token { Kind: Kind.Raw } t => t.Text.Length == 0,
        Token { Kind: Kind.Tag, Name: "assign" } => true,
        Block { Open.Name: "capture" } => true,
        Block b => IsBlank(b),
        _ => false,
    };

    private static bool NeedsCaseRewrite(Block block)
    {
        var branches = block.Branches.Skip(1).ToList();
        var elses = branches.Count(b => b.Tag.Name == "else");
        return branches.Count == 0
            || elses > 1
            || (elses == 1 && branches[^1].Tag.Name != "else")
            || branches.Any(b => b.Tag.Name == "when" && WhenValues(b.Tag.Args).Count > 1)
            || (branches.Count == elses);
    }

    private static List<string> WhenValues(string args)
    {
        var values = new List<string>();
        foreach (var part in SplitTopLevel(args))
        {
            // "when a or b" lists values like "when a, b".
            var pieces = MapCode(part, code => code.Replace(" or ", " \u0001 ", StringComparison.Ordinal)).Split('\u0001');
            values.AddRange(pieces.Select(p => p.Trim()).Where(p => p.Length > 0));
        }

        return values;
    }

    /// <summary>
    /// Liquid's case: every matching value of every when renders its body, and an else renders when no when before it
    /// matched. Written as ifs over a flag, so that Scriban's case (first match only, else last) is not needed.
    /// </summary>
    private static List<object> RewriteCase(Block block, EmitState state)
    {
        var flag = "liquid_case_" + (++state.CaseCount).ToString(System.Globalization.CultureInfo.InvariantCulture);
        var subject = block.Open.Args;
        var result = new List<object>
        {
            new Token { Kind = Kind.Tag, Name = "assign", Args = flag + " = false", Newlines = block.Open.Newlines + NewlinesIn(block.Branches[0].Body) },
        };
        foreach (var (tag, body) in block.Branches.Skip(1))
        {
            if (tag.Name == "else")
            {
                result.Add(new Token { Kind = Kind.Tag, Name = "unless", Args = flag, Newlines = tag.Newlines });
                result.AddRange(body);
                result.Add(new Token { Kind = Kind.Tag, Name = "endunless" });
                continue;
            }

            var first = true;
            foreach (var value in WhenValues(tag.Args))
            {
                result.Add(new Token { Kind = Kind.Tag, Name = "if", Args = $"({subject}) == ({value})", Newlines = first ? tag.Newlines : 0 });
                result.Add(new Token { Kind = Kind.Tag, Name = "assign", Args = flag + " = true" });
                result.AddRange(first ? body : body.Select(Silent));
                result.Add(new Token { Kind = Kind.Tag, Name = "endif" });
                first = false;
            }
        }

        result.Add(new Token { Kind = Kind.Dropped, Newlines = block.Close?.Newlines ?? 0 });
        return result;
    }

    /// <summary>A copy of a node whose newlines are not counted again (a body written twice).</summary>
    private static object Silent(object node) => node switch
    {
        Token t => new Token { Kind = t.Kind, Text = t.Text, Name = t.Name, Args = t.Args, Newlines = t.Kind is Kind.Text or Kind.Raw ? Count(t.Text, 0, t.Text.Length) : 0 },
        _ => node,
    };

    // ---- Output -------------------------------------------------------------------------------------------------

    private sealed class EmitState(StringBuilder output)
    {
        public StringBuilder Output { get; } = output;

        public int PendingNewlines { get; set; }

        public int CaseCount { get; set; }

        public LiquidSyntaxError? Error { get; set; }

        public void Flush()
        {
            if (PendingNewlines > 0)
            {
                Output.Append("{% comment %}").Append('\n', PendingNewlines).Append("{% endcomment %}");
                PendingNewlines = 0;
            }
        }
    }

    private static void EmitNodes(List<object> nodes, EmitState state)
    {
        foreach (var node in nodes)
        {
            switch (node)
            {
                case Token token:
                    Emit(token, state);
                    break;
                case List<object> list:
                    EmitNodes(list, state);
                    break;
                case Block block:
                    foreach (var (tag, body) in block.Branches)
                    {
                        Emit(tag, state);
                        EmitNodes(body, state);
                    }

                    if (block.Close is not null)
                    {
                        Emit(block.Close, state);
                    }

                    break;
            }
        }
    }

    private static void Emit(Token token, EmitState state)
    {
        switch (token.Kind)
        {
            case Kind.Text:
                {
                    var written = Count(token.Text, 0, token.Text.Length);
                    if (!token.Text.AsSpan().TrimStart(RubyWhitespace).IsEmpty)
                    {
                        state.Flush();
                    }

                    state.Output.Append(token.Text);
                    state.PendingNewlines += token.Newlines - written;
                    break;
                }

            case Kind.Output:
                state.Flush();
                state.Output.Append("{{ ").Append(token.Text).Append(" }}");
                state.PendingNewlines += token.Newlines;
                break;
            case Kind.Tag:
                state.Output.Append("{% ").Append(token.Name);
                if (token.Args.Length > 0)
                {
                    state.Output.Append(' ').Append(token.Args);
                }

                state.Output.Append(" %}");
                state.PendingNewlines += token.Newlines;
                break;
            case Kind.Raw:
                state.Output.Append("{% raw %}").Append(token.Text).Append("{% endraw %}");
                state.PendingNewlines += token.Newlines - Count(token.Text, 0, token.Text.Length);
                break;
            default:
                state.PendingNewlines += token.Newlines;
                break;
        }
    }
}

/// <summary>Liquid that Ruby's engine refuses although Scriban would parse it; <see cref="Line"/> is 1-based, 0 when unknown.</summary>
internal sealed record LiquidSyntaxError(int Line, string Message);
