namespace Loyalty.Email.HtmlEmail;

/// <summary>
/// Moves the rules of a mail's <c>&lt;style&gt;</c> blocks onto its elements (PreMailer.Net), because Gmail and Outlook
/// apply inline styles far more reliably than a style sheet; media queries stay in a <c>&lt;style&gt;</c> in the head for
/// the clients that read them (mobile layouts). Only mail that has a style block pays for it: the document is parsed
/// again, about a millisecond per message (docs/performance.md).
/// </summary>
internal static class CssInliner
{
    public static bool Applies(string html) => html.Contains("<style", StringComparison.OrdinalIgnoreCase);

    public static string Inline(string html)
    {
        using var premailer = new PreMailer.Net.PreMailer(html);

        // "link": PreMailer would otherwise download every linked style sheet, from any address a template names.
        return premailer.MoveCssInline(removeStyleElements: true, ignoreElements: "link", preserveMediaQueries: true).Html;
    }
}
