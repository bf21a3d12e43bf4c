using Scriban;
using Scriban.Runtime;
using Scriban.Syntax;

namespace Loyalty.Email.Templates.Scriban;

/// <summary>Scriban's include, whose result (a partial already encoded while rendering) is written as trusted HTML.</summary>
internal sealed class TrustedIncludeFunction(IScriptCustomFunction include) : IScriptCustomFunction
{
    public int RequiredParameterCount => include.RequiredParameterCount;

    public int ParameterCount => include.ParameterCount;

    public ScriptVarParamKind VarParamKind => include.VarParamKind;

    public Type ReturnType => include.ReturnType;

    public ScriptParameterInfo GetParameterInfo(int index) => include.GetParameterInfo(index);

    public object? Invoke(TemplateContext context, ScriptNode? callerContext, ScriptArray arguments, ScriptBlockStatement? blockStatement)
    {
        var result = include.Invoke(context, callerContext, arguments, blockStatement);
        return result is string text && context is LoyaltyLiquidContext liquid ? liquid.Trust(text) : result;
    }

    public ValueTask<object?> InvokeAsync(TemplateContext context, ScriptNode? callerContext, ScriptArray arguments, ScriptBlockStatement? blockStatement) =>
        ValueTask.FromResult(Invoke(context, callerContext, arguments, blockStatement));
}
