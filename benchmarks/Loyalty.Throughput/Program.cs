using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using Loyalty.Throughput;

var options = HarnessOptions.Parse(args);
if (options.ProbeBacklog is { } backlog)
{
    return await DispatchStage.ProbeAsync(options, backlog);
}

if (options.SummaryOnly)
{
    // Re-summarise an earlier run (e.g. after re-running only the Compose benchmark): throughput.json stays as it was.
    var earlier = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(options.OutputDirectory, "throughput.json"))).RootElement;
    var again = Summary.Build(earlier, options.ComposeReport);
    await File.WriteAllTextAsync(Path.Combine(options.OutputDirectory, "summary.json"), JsonSerializer.Serialize(again, new JsonSerializerOptions { WriteIndented = true }));
    await File.WriteAllTextAsync(Path.Combine(options.OutputDirectory, "throughput.md"), Summary.Markdown(earlier, again));
    Console.WriteLine($"wrote {options.OutputDirectory}/summary.json, throughput.md from throughput.json");
    return again.Values.Any(v => v is null) ? 2 : 0;
}

var results = new Dictionary<string, object?>
{
    ["measured_at"] = DateTimeOffset.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
    ["machine"] = Machine(),
    ["smoke"] = options.Smoke,
    ["arguments"] = string.Join(' ', args),
};
if (options.Runs("deliver"))
{
    results["deliver"] = await DeliverStage.RunAsync(options);
}

if (options.Runs("intake"))
{
    results["intake"] = await IntakeStage.RunAsync(options);
}

if (options.Runs("dispatch"))
{
    results["dispatch"] = await DispatchStage.RunAsync(options);
}

if (options.Runs("memory"))
{
    var forward = args.Where((a, i) => a != "--probe-backlog" && (i == 0 || args[i - 1] != "--probe-backlog")).ToArray();
    results["memory"] = await DispatchStage.RunMemoryAsync(options, forward);
}

if (options.Runs("latency"))
{
    results["latency"] = await LatencyStage.RunAsync(options);
}

var json = new JsonSerializerOptions { WriteIndented = true };
var resultsJson = JsonSerializer.Serialize(results, json);
await File.WriteAllTextAsync(Path.Combine(options.OutputDirectory, "throughput.json"), resultsJson);
var summary = Summary.Build(JsonDocument.Parse(resultsJson).RootElement, options.ComposeReport);
await File.WriteAllTextAsync(Path.Combine(options.OutputDirectory, "summary.json"), JsonSerializer.Serialize(summary, json));
await File.WriteAllTextAsync(Path.Combine(options.OutputDirectory, "throughput.md"), Summary.Markdown(JsonDocument.Parse(resultsJson).RootElement, summary));
Console.WriteLine($"wrote {options.OutputDirectory}/summary.json, throughput.json, throughput.md");
return summary.Values.Any(v => v is null) ? 2 : 0;

static string Machine()
{
    var cpu = File.Exists("/proc/cpuinfo")
        ? File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim()
        : null;
    var memory = File.Exists("/proc/meminfo")
        ? File.ReadLines("/proc/meminfo").FirstOrDefault(l => l.StartsWith("MemTotal", StringComparison.Ordinal))?.Split(':', 2)[1].Trim()
        : null;
    // The load when the run started says whether other work shared the machine (it said "shared" always before).
    var load = File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : null;
    return $"nproc={Environment.ProcessorCount}; memory={memory}; cpu={cpu}; os={RuntimeInformation.OSDescription}; runtime={RuntimeInformation.FrameworkDescription}; gc={(System.Runtime.GCSettings.IsServerGC ? "server" : "workstation")}; load average at start={load ?? "unknown"}";
}

/// <summary>The flat summary of issue 9 and the Markdown table of the harness's figures.</summary>
internal static class Summary
{
    public static Dictionary<string, object?> Build(JsonElement r, string? composeReport)
    {
        double? Get(params string[] path)
        {
            var e = r;
            foreach (var p in path)
            {
                if (e.ValueKind != JsonValueKind.Object || !e.TryGetProperty(p, out e))
                {
                    return null;
                }
            }

            return e.ValueKind == JsonValueKind.Number ? e.GetDouble() : null;
        }

        var (reparse, bare) = Compose(composeReport);
        var costs = new[] { Get("intake", "sqlite", "cost_largest_vs_smallest"), Get("intake", "postgres", "cost_largest_vs_smallest") }.Where(c => c is not null).ToList();
        return new Dictionary<string, object?>
        {
            ["compose_vs_reparse"] = reparse,
            ["compose_vs_bare_render"] = bare,
            ["deliver_vs_connection_per_message"] = Get("deliver", "deliver_vs_connection_per_message"),
            ["deliver_vs_smtp_source"] = Get("deliver", "deliver_vs_smtp_source"),
            ["intake_vs_raw_insert_sqlite"] = Get("intake", "sqlite", "intake_vs_raw_insert"),
            ["intake_vs_raw_insert_postgres"] = Get("intake", "postgres", "intake_vs_raw_insert"),
            // The worse of the two stores: per-event cost at the largest customer count ÷ at the smallest, of the
            // batched variant (PublishManyAsync) that the two ratios above come from; the single-event figures are in
            // throughput.json (intake.*.single_vs_raw_insert, single_cost_largest_vs_smallest).
            ["intake_cost_1m_vs_1k"] = costs.Count > 0 ? costs.Max() : null,
            ["dispatch_vs_job_per_email"] = Get("dispatch", "dispatch_vs_job_per_email"),
            ["memory_1m_vs_10k"] = Get("memory", "memory_large_vs_small"),
            ["immediate_p95_ms"] = Get("latency", "p95_ms"),
            ["measured_at"] = r.GetProperty("measured_at").GetString(),
            ["machine"] = r.GetProperty("machine").GetString(),
        };
    }

    /// <summary>From BenchmarkDotNet's JSON report: cached rate ÷ re-parse rate, cached rate ÷ bare-render rate.</summary>
    private static (double? Reparse, double? Bare) Compose(string? report)
    {
        if (report is null || !File.Exists(report))
        {
            return (null, null);
        }

        using var doc = JsonDocument.Parse(File.ReadAllText(report));
        // A benchmark that did not run (e.g. its build failed) has no statistics: then the ratios are not measured.
        var means = doc.RootElement.GetProperty("Benchmarks").EnumerateArray()
            .Where(b => b.TryGetProperty("Statistics", out var s) && s.ValueKind == JsonValueKind.Object)
            .ToDictionary(b => b.GetProperty("Method").GetString()!, b => b.GetProperty("Statistics").GetProperty("Mean").GetDouble());
        if (!means.TryGetValue("LoyaltyCached", out var cached))
        {
            return (null, null);
        }

        return (means.TryGetValue("ReparsePerMessage", out var reparse) ? reparse / cached : null, means.TryGetValue("BareRender", out var bare) ? bare / cached : null);
    }

    public static string Markdown(JsonElement r, Dictionary<string, object?> summary)
    {
        var md = new StringBuilder();
        md.AppendLine(CultureInfo.InvariantCulture, $"# Throughput harness ({r.GetProperty("measured_at").GetString()})");
        md.AppendLine();
        md.AppendLine(CultureInfo.InvariantCulture, $"Machine: {r.GetProperty("machine").GetString()}  ");
        md.AppendLine(CultureInfo.InvariantCulture, $"Arguments: `{r.GetProperty("arguments").GetString()}`");
        md.AppendLine();
        md.AppendLine("| summary key | value |");
        md.AppendLine("|---|---|");
        foreach (var (key, value) in summary)
        {
            md.AppendLine(CultureInfo.InvariantCulture, $"| {key} | {(value is double d ? d.ToString("G4", CultureInfo.InvariantCulture) : value?.ToString() ?? "not measured")} |");
        }

        md.AppendLine();
        md.AppendLine("Raw figures (every number the harness measured):");
        md.AppendLine();
        md.AppendLine("```json");
        md.AppendLine(JsonSerializer.Serialize(r, new JsonSerializerOptions { WriteIndented = true }));
        md.AppendLine("```");
        return md.ToString();
    }
}
