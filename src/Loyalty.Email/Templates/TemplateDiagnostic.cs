using System.Globalization;

namespace Loyalty.Email.Templates;

/// <summary>How bad a finding of template validation is.</summary>
public enum TemplateDiagnosticSeverity
{
    /// <summary>Worth fixing; the template is still used.</summary>
    Warning,

    /// <summary>The template is refused and the host does not start.</summary>
    Error,
}

/// <summary>One finding of template validation, pointing at a file and position.</summary>
/// <param name="File">Template file (relative to the templates root, or <c>embedded:</c> for shipped ones).</param>
/// <param name="Line">1-based line, 0 when the finding is about the whole file.</param>
/// <param name="Column">1-based column, 0 when unknown.</param>
/// <param name="Severity">Error or warning.</param>
/// <param name="Message">What is wrong and, where possible, what to write instead.</param>
public sealed record TemplateDiagnostic(string File, int Line, int Column, TemplateDiagnosticSeverity Severity, string Message)
{
    /// <summary>The compiler-style form <c>file:line:col: severity: message</c>.</summary>
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"{File}:{Line}:{Column}: {(Severity == TemplateDiagnosticSeverity.Error ? "error" : "warning")}: {Message}");
}

/// <summary>Templates failed start-up validation; <see cref="Diagnostics"/> lists every finding.</summary>
public sealed class TemplateValidationException : Exception
{
    /// <summary>Creates the exception from the findings (errors and warnings).</summary>
    public TemplateValidationException(IReadOnlyList<TemplateDiagnostic> diagnostics)
        : base(BuildMessage(diagnostics))
    {
        Diagnostics = diagnostics;
    }

    /// <summary>Every finding, errors first.</summary>
    public IReadOnlyList<TemplateDiagnostic> Diagnostics { get; }

    private static string BuildMessage(IReadOnlyList<TemplateDiagnostic> diagnostics)
    {
        ArgumentNullException.ThrowIfNull(diagnostics);
        var errors = diagnostics.Count(d => d.Severity == TemplateDiagnosticSeverity.Error);
        return string.Create(CultureInfo.InvariantCulture, $"{errors} template error(s):{Environment.NewLine}")
            + string.Join(Environment.NewLine, diagnostics.Select(d => d.ToString()));
    }
}
