namespace Loyalty.Email.Templates.Liquid;

/// <summary>
/// A marketing e-mail must let its reader unsubscribe and must name the shop's postal address (CAN-SPAM, RFC 8058's
/// one-click link): the body, its layout or a partial they include or render reads <c>links.unsubscribe</c> and
/// <c>shop.postal_address</c>.
/// </summary>
internal static class MarketingRules
{
    public static void Check(TemplateSource html, TemplateSource? layout, IReadOnlyDictionary<string, TemplateSource> partials, IReadOnlyDictionary<TemplateSource, TemplateFacts> parsed, List<TemplateDiagnostic> diagnostics)
    {
        if (!parsed.ContainsKey(html) || (layout is not null && !parsed.ContainsKey(layout)))
        {
            return; // a syntax error is already reported
        }

        var read = new HashSet<string>(StringComparer.Ordinal);
        var queue = new Queue<TemplateSource>(layout is null ? [html] : [html, layout]);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        while (queue.TryDequeue(out var source))
        {
            if (!parsed.TryGetValue(source, out var facts))
            {
                continue;
            }

            read.UnionWith(facts.ReadPaths);
            foreach (var use in facts.Partials)
            {
                if (seen.Add(use.Name) && partials.TryGetValue(use.Name, out var partial))
                {
                    queue.Enqueue(partial);
                }
            }
        }

        var line = FooterLine(html.Text);
        if (!read.Contains("links.unsubscribe"))
        {
            diagnostics.Add(new(html.File, line, 1, TemplateDiagnosticSeverity.Error, "marketing template without an unsubscribe link: add <a href=\"{{ links.unsubscribe }}\"> (in the body, the layout or an included footer)."));
        }

        if (!read.Contains("shop.postal_address"))
        {
            diagnostics.Add(new(html.File, line, 1, TemplateDiagnosticSeverity.Error, "marketing template without the shop's postal address: add {{ shop.postal_address }} (in the body, the layout or an included footer)."));
        }
    }

    /// <summary>Where a missing footer belongs: the line of the closing body tag, else the body's last line.</summary>
    internal static int FooterLine(string html)
    {
        var index = html.LastIndexOf("</body", StringComparison.OrdinalIgnoreCase);
        return TemplatePositions.Of(html, index >= 0 ? index : html.TrimEnd().Length).Line;
    }
}
