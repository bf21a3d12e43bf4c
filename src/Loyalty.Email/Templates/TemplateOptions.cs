using System.ComponentModel.DataAnnotations;

namespace Loyalty.Email.Templates;

/// <summary>Where templates come from and the limits every render runs under.</summary>
public sealed class TemplateOptions
{
    /// <summary>
    /// Directory of the integrators' templates (<c>&lt;name&gt;/&lt;locale&gt;/html.liquid</c>, <c>_layouts</c>, <c>_partials</c>).
    /// A template here overrides the shipped default of the same name. Null: shipped defaults only.
    /// </summary>
    public string? TemplatesPath { get; set; }

    /// <summary>
    /// Other packages that ship default templates (embedded resources named <c>LoyaltyTemplates/&lt;name&gt;/&lt;locale&gt;/…</c>),
    /// e.g. Loyalty.Referrals. Each adds its own assembly when it is registered.
    /// </summary>
    public IList<System.Reflection.Assembly> ShippedTemplateAssemblies { get; } = new List<System.Reflection.Assembly>();

    /// <summary>Whether the templates shipped inside Loyalty.Email are loaded (directory templates still win by name).</summary>
    public bool IncludeShippedDefaults { get; set; } = true;

    /// <summary>Cumulative loop iterations one render may run.</summary>
    [Range(1, 10_000_000)]
    public int LoopLimit { get; set; } = 10_000;

    /// <summary>Nesting depth of includes and calls one render may reach.</summary>
    [Range(1, 1_000)]
    public int RecursionLimit { get; set; } = 20;

    /// <summary>Characters one rendered part (subject, HTML, text) may have.</summary>
    [Range(1_000, 100_000_000)]
    public int OutputLimitChars { get; set; } = 1_000_000;

    /// <summary>A variable that is not in the model fails the render instead of printing nothing.</summary>
    public bool StrictVariables { get; set; }

    /// <summary>Model roots a template may use besides the built-in ones (customer, order, event, shop, links, ...).</summary>
    public IList<string> AdditionalModelRoots { get; } = new List<string>();

    /// <summary>Unknown variables are reported as errors (true) or warnings (false) by start-up validation.</summary>
    public bool UnknownVariablesAreErrors { get; set; } = true;
}
