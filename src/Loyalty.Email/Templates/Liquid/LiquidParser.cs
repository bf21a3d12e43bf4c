using System.Text.RegularExpressions;
using Fluid;

namespace Loyalty.Email.Templates.Liquid;

/// <summary>Liquid's syntax as Shopify writes it, on Fluid's parser; a syntax error becomes one diagnostic.</summary>
internal static class LiquidParser
{
    // Fluid's parser is expensive to build and, once built, immutable and thread-safe: one serves every template.
#pragma warning disable FLUID001 // statement locations: diagnostics point at file:line:col
    private static readonly FluidParser Parser = new(new FluidParserOptions
    {
        AllowLiquidTag = true,
        AllowTrailingQuestionMark = true,
        AllowParentheses = true, // (order.lines | first).sku: beyond Shopify, kept from Loyalty's earlier dialect
        TrackStatementLocations = true,
    });
#pragma warning restore FLUID001

    /// <summary>Tags that Shopify's storefront has and e-mail has no use for, with what to write instead.</summary>
    public static IReadOnlyDictionary<string, string> RefusedTags { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["layout"] = "set \"layout\" in template.json",
        ["section"] = "write {% include 'name' %} with a partial in _partials",
        ["sections"] = "write {% include 'name' %} with a partial in _partials",
        ["form"] = "link to a page of the shop instead; e-mail clients do not submit forms",
        ["paginate"] = "use {% for item in list limit: n %}",
        ["javascript"] = "remove it; e-mail clients do not run scripts",
        ["stylesheet"] = "write a <style> block or inline styles",
        ["style"] = "write a <style> block or inline styles",
        ["schema"] = "remove it; template settings go in template.json",
    };

    /// <summary>Parses <paramref name="source"/>, or reports why not (and returns null).</summary>
    public static IFluidTemplate? Parse(TemplateSource source, List<TemplateDiagnostic> diagnostics)
    {
        try
        {
            return Parser.Parse(source.Text) ?? throw new ParseException("the template could not be parsed");
        }
        catch (ParseException ex)
        {
            var (line, column) = (ex.Position?.Line ?? 1, ex.Position?.Column ?? 1);
            var reason = Reason(ex.Message);

            // Fluid notices a missing {% endif %} where the template ends; the tag left open is what to point at.
            var end = Regex.Match(reason, @"^'\{% end(\w+) %\}' was expected", RegexOptions.None, TimeSpan.FromSeconds(1));
            if (end.Success && Unclosed(source.Text, end.Groups[1].Value, ex.Position?.Offset ?? source.Text.Length) is { } opened)
            {
                (line, column) = TemplatePositions.Of(source.Text, opened);
                reason = $"{{% {end.Groups[1].Value} %}} is never closed: add {{% end{end.Groups[1].Value} %}}.";
            }

            diagnostics.Add(new TemplateDiagnostic(source.File, line, column, TemplateDiagnosticSeverity.Error, reason));
            return null;
        }
    }

    /// <summary>Where the innermost <paramref name="tag"/> block still open before <paramref name="until"/> starts.</summary>
    private static int? Unclosed(string text, string tag, int until)
    {
        var open = new Stack<int>();
        var pattern = @"\{%-?\s*(end)?" + Regex.Escape(tag) + @"\b";
        foreach (Match match in Regex.Matches(text[..Math.Clamp(until, 0, text.Length)], pattern, RegexOptions.None, TimeSpan.FromSeconds(1)))
        {
            if (!match.Groups[1].Success)
            {
                open.Push(match.Index);
            }
            else if (open.Count > 0)
            {
                open.Pop();
            }
        }

        return open.Count > 0 ? open.Peek() : null;
    }

    /// <summary>Fluid's message without the copy of the source line and the position it appends.</summary>
    private static string Reason(string message)
    {
        var reason = message.Split('\n', 2)[0].Trim();
        var at = reason.LastIndexOf(" at (", StringComparison.Ordinal);
        if (at > 0 && reason.EndsWith(')'))
        {
            reason = reason[..at];
        }

        var unknown = Regex.Match(reason, "^Unknown tag '([^']+)'", RegexOptions.None, TimeSpan.FromSeconds(1));
        if (unknown.Success)
        {
            var tag = unknown.Groups[1].Value;
            return RefusedTags.TryGetValue(tag, out var instead)
                ? $"the {{% {tag} %}} tag is not supported: {instead}."
                : $"unknown tag '{tag}'.";
        }

        return reason.Length > 300 ? reason[..300] + "…" : reason;
    }
}
