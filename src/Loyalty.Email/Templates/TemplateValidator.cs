using Loyalty.Email.Templates.Liquid;

namespace Loyalty.Email.Templates;

/// <summary>
/// Start-up check of every template (what the renderer runs in its constructor), usable on its own, e.g. in a CI step
/// that validates the integrators' templates before deploying.
/// </summary>
public static class TemplateValidator
{
    /// <summary>Parses and checks every template; returns all findings (an empty list means all is well).</summary>
    public static IReadOnlyList<TemplateDiagnostic> Validate(TemplateOptions options, IEnumerable<ILiquidFilterProvider>? filterProviders = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        try
        {
            return TemplateCompiler.Compile(TemplateCatalog.Load(options), options, filterProviders, clock: null).Diagnostics;
        }
        catch (TemplateValidationException ex)
        {
            return ex.Diagnostics;
        }
    }

    /// <summary>Throws <see cref="TemplateValidationException"/> when any finding is an error.</summary>
    public static void ThrowIfInvalid(TemplateOptions options, IEnumerable<ILiquidFilterProvider>? filterProviders = null)
    {
        var diagnostics = Validate(options, filterProviders);
        if (diagnostics.Any(d => d.Severity == TemplateDiagnosticSeverity.Error))
        {
            throw new TemplateValidationException(diagnostics);
        }
    }
}
