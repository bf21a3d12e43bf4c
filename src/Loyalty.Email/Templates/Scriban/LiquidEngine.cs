using Scriban;
using Scriban.Parsing;
using Scriban.Runtime;
using Scriban.Syntax;

namespace Loyalty.Email.Templates.Scriban;

/// <summary>
/// The one place that knows Scriban: parses Liquid once, renders a parsed template in a fresh context with the filter
/// pack, the limits and the partials. Thread-safe: it holds only read-only state.
/// </summary>
internal sealed class LiquidEngine
{
    // Builtins a fresh Liquid context keeps; everything else (object.eval_template, regex, namespaces with CLR access,
    // Scriban's own filter aliases) is removed so that the filter pack is the whole surface a template sees.
    private static readonly HashSet<string> KeptBuiltins = new(StringComparer.Ordinal) { "include", "cycle", "empty", "blank" };

    private static readonly ParserOptions Parser = new() { ParseFloatAsDecimal = true, LiquidFunctionsToScriban = false };

    private readonly TemplateOptions _options;
    private readonly TimeProvider _clock;
    private readonly ScriptObject _filters;

    // Scriban's LiquidTemplateContext builds its whole builtin library (a dozen modules imported by reflection, about
    // 14 KB) for every context, and the engine then removed all but four names from it. The four are stateless (cycle
    // keeps its state in the context), so one read-only copy serves every context this engine creates.
    private readonly ScriptObject _builtins;

    public LiquidEngine(TemplateOptions options, IEnumerable<ILiquidFilterProvider>? providers = null, TimeProvider? clock = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _clock = clock ?? TimeProvider.System;
        _filters = new ScriptObject();
        var liquidBuiltins = new LiquidTemplateContext().BuiltinObject;
        _builtins = new ScriptObject();
        foreach (var name in KeptBuiltins)
        {
            _builtins[name] = liquidBuiltins[name];
        }

        _builtins.IsReadOnly = true;
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var filter in LiquidFilterPack.Create())
        {
            _filters[filter.Name] = filter;
            names.Add(filter.Name);
        }

        foreach (var provider in providers ?? [])
        {
            foreach (var (name, filter) in provider.Filters)
            {
                if (!names.Add(name))
                {
                    throw new InvalidOperationException($"Liquid filter '{name}' from {provider.GetType().Name} is already defined.");
                }

                _filters[name] = new FilterFunction(name, 0, 16, call => Invoke(filter, call));
            }
        }

        names.UnionWith(["include", "cycle", "echo", "render", LiquidSourceRewriter.IncrementFunction, LiquidSourceRewriter.DecrementFunction]);
        _filters["include"] = new TrustedIncludeFunction((IScriptCustomFunction)liquidBuiltins["include"]!);
        _filters["echo"] = new FilterFunction("echo", 0, 0, call => call.Input);
        _filters["render"] = new RenderTagFunction();
        _filters[LiquidSourceRewriter.IncrementFunction] = new FilterFunction(LiquidSourceRewriter.IncrementFunction, 0, 0, call => call.Context.Count(LiquidFilterPack.Str(call, call.Input), +1));
        _filters[LiquidSourceRewriter.DecrementFunction] = new FilterFunction(LiquidSourceRewriter.DecrementFunction, 0, 0, call => call.Context.Count(LiquidFilterPack.Str(call, call.Input), -1));
        FilterNames = names;
    }

    /// <summary>Filters (and function-like tags) a template may call.</summary>
    public IReadOnlySet<string> FilterNames { get; }

    /// <summary>
    /// Parses Liquid after <see cref="LiquidSourceRewriter"/> brought it to what Scriban reads like Ruby Liquid;
    /// <paramref name="liquidError"/> is what Liquid refuses although Scriban would parse it (the template must then be refused).
    /// </summary>
    public static Template Parse(string text, string file, out LiquidSyntaxError? liquidError) =>
        Template.ParseLiquid(LiquidSourceRewriter.Rewrite(text, out liquidError), file, Parser);

    /// <summary>
    /// Renders in a fresh context; a context is never reused across renders or customers. <paramref name="model"/> is
    /// only read, so the parts of one e-mail can share it.
    /// </summary>
    public string Render(Template template, ScriptObject model, RenderSettings settings, IReadOnlyDictionary<string, Template> partials, string? trustedContent = null)
    {
        ArgumentNullException.ThrowIfNull(template);
        var context = CreateContext(settings, partials, depth: 0);

        // The render's own variables go to a scope of their own holding the model's roots (a shallow copy: Liquid's
        // this["name"] reads only the top scope); the model's objects, possibly shared by the parts of one e-mail,
        // are read-only.
        var scope = new ScriptObject();
        foreach (var (key, value) in model)
        {
            scope[key] = value;
        }

        if (trustedContent is not null)
        {
            scope["content"] = context.Trust(trustedContent);
        }

        context.PushGlobal(scope);
        try
        {
            return template.Render(context);
        }
        catch (ScriptRuntimeException ex)
        {
            throw new TemplateRenderException($"{template.SourceFilePath}: {ex.OriginalMessage} at {ex.Span.Start.Line + 1}:{ex.Span.Start.Column + 1}", ex);
        }
        catch (Exception ex) when (ex is InvalidOperationException or ArgumentException or InvalidCastException or FormatException or OverflowException or IndexOutOfRangeException)
        {
            throw new TemplateRenderException($"{template.SourceFilePath}: {ex.Message}", ex);
        }
    }

    /// <summary>
    /// A fresh context with the limits and the filter pack; <paramref name="depth"/> counts nested <c>render</c> tags,
    /// each of which renders its partial in a context of its own (Liquid's isolated scope).
    /// </summary>
    private LoyaltyLiquidContext CreateContext(RenderSettings settings, IReadOnlyDictionary<string, Template> partials, int depth)
    {
        var context = new LoyaltyLiquidContext(_builtins, settings, partials, _clock, depth, CreateContext)
        {
            LoopLimit = _options.LoopLimit,
            LoopLimitQueryable = _options.LoopLimit,
            RecursiveLimit = _options.RecursionLimit,
            LimitToString = _options.OutputLimitChars,
            OutputLimit = _options.OutputLimitChars,
            OnOutputLimit = ScriptLimitBehavior.Throw,
            StrictVariables = _options.StrictVariables,
            MemberFilter = _ => false,
            EnableRelaxedMemberAccess = true,
            EnableRelaxedTargetAccess = true,
            EnableRelaxedIndexerAccess = true,
            EnableRelaxedFunctionAccess = false,
            RegexTimeOut = TimeSpan.FromSeconds(1),
            TemplateLoaderParserOptions = Parser,
        };
        context.PushGlobal(_filters);
        return context;
    }

    private static object? Invoke(LiquidFilter filter, FilterCall call)
    {
        var settings = call.Context.Settings;
        var result = filter(ModelConverter.ToPlain(call.Input), call.Args.Select(a => ModelConverter.ToPlain(a)).ToList(), new LiquidFilterContext(settings.Locale, settings.TimeZoneId));
        return ModelConverter.Convert(result, 0);
    }
}
