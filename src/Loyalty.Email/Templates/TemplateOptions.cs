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

    /// <summary>
    /// Steps one render of one part may run (every tag, output and loop iteration is a step), and the most items a
    /// range or list a template builds may have.
    /// </summary>
    [Range(1, 10_000_000)]
    public int LoopLimit { get; set; } = 10_000;

    /// <summary>Nesting depth of includes, renders and loops one render may reach.</summary>
    [Range(1, 1_000)]
    public int RecursionLimit { get; set; } = 20;

    /// <summary>Characters one rendered part (subject, HTML, text) may have.</summary>
    [Range(1_000, 100_000_000)]
    public int OutputLimitChars { get; set; } = 1_000_000;

    /// <summary>A variable that is not in the model fails the render instead of printing nothing.</summary>
    public bool StrictVariables { get; set; }

    /// <summary>
    /// What the template model holds, member by member, so that validation reports <c>{{ customer.frist_name }}</c>
    /// ("did you mean first_name?"). Starts as Loyalty.Email's model; Loyalty.Referrals declares what it adds.
    /// </summary>
    public TemplateModelShape Model { get; } = TemplateModelShape.CreateDefault();

    /// <summary>Model roots a template may use besides those of <see cref="Model"/>, with any members (not checked).</summary>
    public IList<string> AdditionalModelRoots { get; } = new List<string>();

    /// <summary>Unknown variables and members are reported as errors (true) or warnings (false) by start-up validation.</summary>
    public bool UnknownVariablesAreErrors { get; set; } = true;
}
