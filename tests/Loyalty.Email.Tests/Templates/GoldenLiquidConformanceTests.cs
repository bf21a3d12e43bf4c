using System.Globalization;
using System.Text.Json;
using Loyalty.Email.Templates;
using Loyalty.Email.Templates.Scriban;
using Scriban;
using Xunit.Abstractions;

namespace Loyalty.Email.Tests.Templates;

public sealed class GoldenLiquidConformanceTests(ITestOutputHelper output)
{
    // Measured with `dotnet test tests/Loyalty.Email.Tests -c Release --filter GoldenLiquid`; raise it when conformance improves.
    private const int PassFloor = 750;

    [Fact]
    public void Golden_liquid_cases_pass_at_least_the_measured_floor()
    {
        var (passed, total, failures) = Run();
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"golden-liquid: {passed} of {total} cases pass ({100.0 * passed / total:F1}%); failures: {failures.Count - failures.Count(f => f.Contains("expected: <error>", StringComparison.Ordinal))} with a result, {failures.Count(f => f.Contains("expected: <error>", StringComparison.Ordinal))} that should be refused"));
        var dump = Environment.GetEnvironmentVariable("LOYALTY_GOLDEN_FAILURES");
        if (!string.IsNullOrEmpty(dump))
        {
            File.WriteAllLines(dump, failures);
        }

        passed.Should().BeGreaterThanOrEqualTo(PassFloor);
    }

    private static (int Passed, int Total, List<string> Failures) Run()
    {
        using var document = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "corpora", "golden-liquid.json")));
        var engine = new LiquidEngine(new TemplateOptions());
        int passed = 0, total = 0;
        var failures = new List<string>();
        foreach (var test in document.RootElement.GetProperty("tests").EnumerateArray())
        {
            var invalid = test.TryGetProperty("invalid", out var inv) && inv.GetBoolean();
            var expected = new List<string>();
            if (test.TryGetProperty("result", out var r))
            {
                expected.Add(r.GetString()!);
            }

            if (test.TryGetProperty("results", out var rs))
            {
                expected.AddRange(rs.EnumerateArray().Select(x => x.GetString()!));
            }

            if (!invalid && expected.Count == 0)
            {
                continue;
            }

            total++;
            var name = test.GetProperty("name").GetString()!;
            string? actual = null;
            string? error = null;
            try
            {
                actual = RenderCase(engine, test);
            }
            catch (Exception ex) when (ex is TemplateRenderException or InvalidOperationException)
            {
                error = ex.Message;
            }

            var ok = invalid ? error is not null : error is null && expected.Contains(actual!);
            if (ok)
            {
                passed++;
            }
            else
            {
                failures.Add($"{name}\n  template: {test.GetProperty("template").GetString()}\n  expected: {(invalid ? "<error>" : string.Join(" | ", expected))}\n  actual:   {actual ?? "<error> " + error}");
            }
        }

        return (passed, total, failures);
    }

    private static string RenderCase(LiquidEngine engine, JsonElement test)
    {
        var template = LiquidEngine.Parse(test.GetProperty("template").GetString()!, "case");
        if (template.HasErrors)
        {
            throw new InvalidOperationException(string.Join("; ", template.Messages));
        }

        var partials = new Dictionary<string, Template>(StringComparer.Ordinal);
        if (test.TryGetProperty("templates", out var templates))
        {
            foreach (var p in templates.EnumerateObject())
            {
                var parsed = LiquidEngine.Parse(p.Value.GetString()!, p.Name);
                if (parsed.HasErrors)
                {
                    throw new InvalidOperationException(string.Join("; ", parsed.Messages));
                }

                partials[p.Name] = parsed;
            }
        }

        var data = test.TryGetProperty("data", out var d) ? (IReadOnlyDictionary<string, object?>)FromJson(d)! : new Dictionary<string, object?>();
        var model = ModelConverter.ToScriptObject(data);
        return engine.Render(template, model, RenderSettings.For("default", "UTC", htmlEncode: false), partials);
    }

    private static object? FromJson(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.Object => e.EnumerateObject().ToDictionary(p => p.Name, p => FromJson(p.Value)),
        JsonValueKind.Array => e.EnumerateArray().Select(FromJson).ToList(),
        JsonValueKind.String => e.GetString(),
        JsonValueKind.Number => e.TryGetInt64(out var l) ? l : e.GetDecimal(),
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        _ => null,
    };
}
