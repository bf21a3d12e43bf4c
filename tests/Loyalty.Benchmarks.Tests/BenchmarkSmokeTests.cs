using System.Diagnostics;
using System.Text.Json;

namespace Loyalty.Benchmarks.Tests;

/// <summary>
/// Runs the whole performance harness with tiny counts (scripts/bench.sh --smoke) so it cannot rot. Judges no speed:
/// only that summary.json has every key of issue 9 with a number.
/// </summary>
public sealed class BenchmarkSmokeTests
{
    private static readonly string[] NumericKeys =
    [
        "compose_vs_reparse", "compose_vs_bare_render", "deliver_vs_connection_per_message", "deliver_vs_smtp_source",
        "intake_vs_raw_insert_sqlite", "intake_vs_raw_insert_postgres", "intake_cost_1m_vs_1k",
        "dispatch_vs_job_per_email", "memory_1m_vs_10k", "immediate_p95_ms",
    ];

    [Fact]
    public async Task Smoke_run_writes_a_summary_with_every_key_as_a_number()
    {
        var root = RepoRoot();
        var output = Directory.CreateTempSubdirectory("loyalty-bench-smoke-test").FullName;
        try
        {
            var info = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = root };
            foreach (var a in new[] { Path.Combine(root, "scripts", "bench.sh"), "--smoke", "--no-build", "--out", output })
            {
                info.ArgumentList.Add(a);
            }

            // scripts/test.sh exports a running PostgreSQL; the bench script reuses it instead of starting its own.
            if (Environment.GetEnvironmentVariable("LOYALTY_TEST_POSTGRES") is { Length: > 0 } pg)
            {
                info.Environment["LOYALTY_BENCH_POSTGRES"] = pg;
            }

            using var process = Process.Start(info)!;
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
            await process.WaitForExitAsync(timeout.Token);
            process.ExitCode.Should().Be(0, "bench.sh --smoke failed:\n{0}\n{1}", await stdout, await stderr);

            using var summary = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(output, "summary.json")));
            foreach (var key in NumericKeys)
            {
                summary.RootElement.TryGetProperty(key, out var value).Should().BeTrue(key);
                value.ValueKind.Should().Be(JsonValueKind.Number, key);
            }

            summary.RootElement.GetProperty("measured_at").GetString().Should().NotBeNullOrEmpty();
            summary.RootElement.GetProperty("machine").GetString().Should().Contain("nproc=");
        }
        finally
        {
            Directory.Delete(output, recursive: true);
        }
    }

    private static string RepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Loyalty.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("Loyalty.sln not found above " + AppContext.BaseDirectory);
    }
}
