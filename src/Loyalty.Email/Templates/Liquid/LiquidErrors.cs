using Fluid;

namespace Loyalty.Email.Templates.Liquid;

/// <summary>What a failed render says: which limit stopped it, or why a value could not be used.</summary>
internal static class LiquidErrors
{
    /// <summary>The reason for <paramref name="error"/>, or null when it is not a template's fault (then it propagates).</summary>
    public static string? Describe(Exception error) => error switch
    {
        TemplateRenderException => null,
        PartialRefusedException refused => refused.Message,
        LiquidOutputLimitException limit => limit.Message,
        InvalidOperationException ex when ex.Message.Contains("maximum level of recursion", StringComparison.Ordinal)
            => "includes, renders and loops nested deeper than the recursion limit (a partial that includes itself?)",
        InvalidOperationException ex when ex.Message.Contains("steps has been reached", StringComparison.Ordinal)
            => "stopped by the loop limit: " + ex.Message,
        InvalidOperationException ex when ex.Message.Contains("output size", StringComparison.Ordinal)
            => "stopped by the output limit: " + ex.Message,
        InvalidOperationException ex when ex.Message.Contains("collection size", StringComparison.Ordinal)
            => "stopped by the loop limit (a range or list longer than it): " + ex.Message,
        InsufficientExecutionStackException => "nested deeper than the recursion limit",
        LiquidException or FluidException or InvalidOperationException or ArgumentException or FormatException or OverflowException
            or InvalidCastException or DivideByZeroException or IndexOutOfRangeException or FileNotFoundException => error.Message,
        _ => null,
    };
}
