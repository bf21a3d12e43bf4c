using Scriban;
using Scriban.Runtime;
using Scriban.Syntax;

namespace Loyalty.Email.Templates.Scriban;

/// <summary>The input and arguments of one filter call.</summary>
internal readonly record struct FilterCall(LoyaltyLiquidContext Context, ScriptNode? Caller, object? Input, IReadOnlyList<object?> Args)
{
    public object? Arg(int index) => index < Args.Count ? Args[index] : null;

    public Exception Error(string message) =>
        new ScriptRuntimeException(Caller?.Span ?? Context.CurrentSpan, message);
}

/// <summary>A Liquid filter as a Scriban function: first argument is the input, the rest are the filter's arguments.</summary>
internal sealed class FilterFunction : IScriptCustomFunction
{
    private readonly Func<FilterCall, object?> _body;

    public FilterFunction(string name, int minArgs, int maxArgs, Func<FilterCall, object?> body)
    {
        Name = name;
        MinArgs = minArgs;
        MaxArgs = maxArgs;
        _body = body;
    }

    public string Name { get; }

    public int MinArgs { get; }

    public int MaxArgs { get; }

    public int RequiredParameterCount => 0;

    public int ParameterCount => 1 + MaxArgs;

    public ScriptVarParamKind VarParamKind => ScriptVarParamKind.Direct;

    public Type ReturnType => typeof(object);

    public ScriptParameterInfo GetParameterInfo(int index) => new(typeof(object), index == 0 ? "input" : "arg" + index.ToString(System.Globalization.CultureInfo.InvariantCulture));

    public object? Invoke(TemplateContext context, ScriptNode? callerContext, ScriptArray arguments, ScriptBlockStatement? blockStatement)
    {
        var liquid = (LoyaltyLiquidContext)context;
        // A range reaches filters as the array it stands for (its length is already bounded by the loop limit).
        var input = arguments.Count > 0 ? AsArray(arguments[0]) : null;
        var args = arguments.Count > 1 ? arguments.Skip(1).Select(AsArray).ToList() : (IReadOnlyList<object?>)Array.Empty<object?>();
        var call = new FilterCall(liquid, callerContext, input, args);
        if (arguments.Count == 0 || args.Count < MinArgs || args.Count > MaxArgs)
        {
            throw call.Error($"Filter '{Name}' expects {MinArgs}..{MaxArgs} argument(s), got {Math.Max(0, arguments.Count - 1)}.");
        }

        object? result;
        try
        {
            result = _body(call);
        }
        catch (Exception ex) when (ex is FormatException or OverflowException or ArgumentException or InvalidCastException or DivideByZeroException)
        {
            throw call.Error($"Filter '{Name}' failed: {ex.Message}");
        }

        if (result is string s && context.LimitToString > 0 && s.Length > context.LimitToString)
        {
            throw call.Error($"Filter '{Name}' produced more than {context.LimitToString} characters.");
        }

        return result;
    }

    private static object? AsArray(object? value) => value is LiquidRange range ? new ScriptArray(range) : value;

    public ValueTask<object?> InvokeAsync(TemplateContext context, ScriptNode? callerContext, ScriptArray arguments, ScriptBlockStatement? blockStatement) =>
        ValueTask.FromResult(Invoke(context, callerContext, arguments, blockStatement));
}
