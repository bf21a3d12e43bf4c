namespace Loyalty.Email.Templates;

/// <summary>Subject, bodies and preheader of one rendered e-mail. Knows nothing of SMTP.</summary>
/// <param name="Subject">One line, already free of line breaks.</param>
/// <param name="Html">The HTML body.</param>
/// <param name="Text">The plain-text body (generated from the HTML when the template has none).</param>
/// <param name="Preheader">The preview line some clients show, if the template has one.</param>
public sealed record RenderedEmail(string Subject, string Html, string Text, string? Preheader);

/// <summary>
/// Renders a named template for a locale from a model. Templates are parsed and checked once at start-up; a
/// render never parses. The implementation (and the Liquid engine behind it) lives in this folder alone.
/// </summary>
public interface IEmailTemplateRenderer
{
    /// <summary>True when a template of this name exists in some locale.</summary>
    bool Exists(string templateName);

    /// <summary>
    /// Renders <paramref name="templateName"/> in <paramref name="locale"/>, falling back zh-TW → zh → default.
    /// Throws <see cref="TemplateRenderException"/> when a limit is hit.
    /// </summary>
    RenderedEmail Render(string templateName, string locale, TemplateModel model);
}

/// <summary>
/// The data a template sees: a tree of dictionaries, lists and plain values (string, bool, int, long, decimal,
/// <see cref="DateTimeOffset"/>, <see cref="MoneyValue"/>). Built by Loyalty, never a CLR object graph, so templates
/// reach only what is put here (the allow-list).
/// </summary>
/// <param name="root">The top-level variables.</param>
/// <param name="timeZone">The customer's IANA time zone.</param>
/// <param name="locale">The customer's locale.</param>
public sealed class TemplateModel(IReadOnlyDictionary<string, object?> root, string timeZone, string locale)
{
    /// <summary>Top-level variables: <c>customer</c>, <c>order</c>, <c>event</c>, <c>shop</c>, <c>links</c>, ...</summary>
    public IReadOnlyDictionary<string, object?> Root { get; } = root;

    /// <summary>IANA zone the model's dates are shown in (the customer's).</summary>
    public string TimeZone { get; } = timeZone;

    /// <summary>Culture money and date filters format for.</summary>
    public string Locale { get; } = locale;
}

/// <summary>An amount with its currency, so the <c>money</c> filter formats it correctly.</summary>
/// <param name="Amount">The amount.</param>
/// <param name="Currency">ISO 4217 code.</param>
public sealed record MoneyValue(decimal Amount, string Currency);

/// <summary>A template could not be rendered (a limit was hit or a value could not be used); nothing was sent.</summary>
public sealed class TemplateRenderException : Exception
{
    /// <summary>Creates the exception.</summary>
    public TemplateRenderException(string message, Exception? inner = null) : base(message, inner) { }
}
