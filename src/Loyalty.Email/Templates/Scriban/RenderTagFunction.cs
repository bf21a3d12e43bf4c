using System.Collections;
using System.Text;
using Scriban;
using Scriban.Runtime;
using Scriban.Syntax;

namespace Loyalty.Email.Templates.Scriban;

/// <summary>
/// Liquid's <c>{% render %}</c>: the partial sees only the arguments it is given (never the caller's variables), with
/// <c>with value</c>, <c>for list</c> and <c>as name</c>. <see cref="LiquidSourceRewriter"/> turns the tag into
/// positional arguments: <c>'name' 'with:' (value) 'as:' 'alias' 'key' (value)...</c>.
/// </summary>
internal sealed class RenderTagFunction : IScriptCustomFunction
{
    public int RequiredParameterCount => 1;

    public int ParameterCount => 48;

    public ScriptVarParamKind VarParamKind => ScriptVarParamKind.Direct;

    public Type ReturnType => typeof(string);

    public ScriptParameterInfo GetParameterInfo(int index) => new(typeof(object), "arg" + index.ToString(System.Globalization.CultureInfo.InvariantCulture));

    public object? Invoke(TemplateContext context, ScriptNode? callerContext, ScriptArray arguments, ScriptBlockStatement? blockStatement)
    {
        var liquid = (LoyaltyLiquidContext)context;
        if (arguments.Count == 0 || arguments[0] is not string name)
        {
            throw new ScriptRuntimeException(callerContext?.Span ?? context.CurrentSpan, "render needs the partial's name in quotes: {% render 'footer' %}.");
        }

        string? alias = null;
        object? bound = null;
        var hasBound = false;
        var isFor = false;
        var variables = new List<KeyValuePair<string, object?>>();
        for (var i = 1; i + 1 < arguments.Count; i += 2)
        {
            switch (arguments[i])
            {
                case "with:":
                    bound = arguments[i + 1];
                    hasBound = true;
                    break;
                case "for:":
                    bound = arguments[i + 1];
                    hasBound = true;
                    isFor = true;
                    break;
                case "as:":
                    alias = arguments[i + 1] as string;
                    break;
                case string key:
                    variables.Add(new(key, arguments[i + 1]));
                    break;
            }
        }

        var variable = alias ?? name;
        ScriptObject Scope(object? value, bool bind)
        {
            var scope = new ScriptObject();
            if (bind && value is not null)
            {
                scope[variable] = value;
            }

            foreach (var (key, item) in variables)
            {
                scope[key] = item;
            }

            return scope;
        }

        if (isFor && bound is IEnumerable list and not string and not ScriptObject)
        {
            var items = list.Cast<object?>().ToList();
            if (context.LoopLimit > 0 && items.Count > context.LoopLimit)
            {
                throw new ScriptRuntimeException(callerContext?.Span ?? context.CurrentSpan, $"render for a list of {items.Count} items exceeds the loop limit of {context.LoopLimit}.");
            }

            var output = new StringBuilder();
            foreach (var item in items)
            {
                output.Append(liquid.RenderIsolated(name, Scope(item, bind: true), callerContext));
                if (context.LimitToString > 0 && output.Length > context.LimitToString)
                {
                    // Checked per item: the caller's output limit only sees the text once it is complete.
                    throw new ScriptRuntimeException(callerContext?.Span ?? context.CurrentSpan, $"render of '{name}' produced more than {context.LimitToString} characters.");
                }
            }

            return liquid.Trust(output.ToString());
        }

        return liquid.RenderIsolated(name, Scope(bound, hasBound), callerContext);
    }

    public ValueTask<object?> InvokeAsync(TemplateContext context, ScriptNode? callerContext, ScriptArray arguments, ScriptBlockStatement? blockStatement) =>
        ValueTask.FromResult(Invoke(context, callerContext, arguments, blockStatement));
}
