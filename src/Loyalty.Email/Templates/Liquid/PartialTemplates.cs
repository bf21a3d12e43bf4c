using Fluid;

namespace Loyalty.Email.Templates.Liquid;

/// <summary>
/// Where <c>include</c> and <c>render</c> find partials: only among the templates of <c>_partials</c>, parsed and
/// checked at start-up. A name is looked up, never resolved as a path, so nothing outside <c>_partials</c> is read.
/// </summary>
internal sealed class PartialTemplates(IReadOnlyDictionary<string, IFluidTemplate> partials) : ITemplateFileProvider, ITemplateCache
{
    public ValueTask<TemplateSourceInfo> GetFileInfoAsync(string subpath, TemplateContext context, CancellationToken cancellationToken)
    {
        if (subpath is not null && partials.ContainsKey(subpath))
        {
            // Never opened: the cache below always holds the parsed partial.
            return new(new TemplateSourceInfo(DateTimeOffset.MinValue, _ => throw new InvalidOperationException("partials are parsed at start-up"), subpath));
        }

        var shown = subpath is null ? string.Empty : subpath[..Math.Min(subpath.Length, 100)];
        throw new PartialRefusedException($"the partial '{shown}' is refused: include and render read only the templates in _partials by name.");
    }

    public bool TryGetTemplate(string subpath, DateTimeOffset lastModified, out IFluidTemplate template) => partials.TryGetValue(subpath, out template!);

    // Read-only: every partial was parsed at start-up.
    public void SetTemplate(string subpath, DateTimeOffset lastModified, IFluidTemplate template) => _ = template;
}

/// <summary>An <c>include</c> or <c>render</c> named something that is not a partial.</summary>
internal sealed class PartialRefusedException(string message) : Exception(message);
