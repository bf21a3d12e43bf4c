using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Hangfire;
using Loyalty.Email.Composition;
using Loyalty.Email.Delivery;
using Loyalty.Email.Scheduling;
using Loyalty.Email.Templates;
using Loyalty.Events;
using Loyalty.Stores;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Loyalty.Throughput;

/// <summary>
/// Stage 4: N due sends on PostgreSQL with Hangfire.PostgreSql → accepted by smtp-sink. Loyalty's batch claim (one
/// sweep job) vs one Hangfire job per e-mail on the same storage; and the peak working set of a drain from a small and a
/// large backlog (each in a fresh child process).
/// </summary>
public static class DispatchStage
{
    public const string FlowId = "bench-dispatch";

    private static void Flow(Loyalty.Email.LoyaltyEmailBuilder e) =>
        e.AddFlow(FlowId, f => f.On(EventTypes.OrderPlaced).Transactional().Send("order-receipt"));

    public static async Task<Dictionary<string, object?>> RunAsync(HarnessOptions o)
    {
        Dictionary<string, object?>? warmup = null;
        if (o.DispatchWarmup > 0)
        {
            var loyaltyWarmup = await RunLoyaltyAsync(o, o.DispatchWarmup);
            var jobsWarmup = await RunJobPerEmailAsync(o, o.DispatchWarmup);
            Console.WriteLine($"dispatch: warm-up ({o.DispatchWarmup} sends each, not counted): Loyalty {loyaltyWarmup["sends_per_s"]:F0} sends/s, one job per e-mail {jobsWarmup["sends_per_s"]:F0} sends/s");
            warmup = new Dictionary<string, object?> { ["loyalty"] = loyaltyWarmup, ["job_per_email"] = jobsWarmup };
        }

        var loyalty = await RunLoyaltyAsync(o, o.DispatchSends);
        var jobs = await RunJobPerEmailAsync(o, o.BaselineSends);
        // The e-mail work alone and the database work alone: parts of a send, measured on up to 20,000 sends each.
        var parts = Math.Min(o.DispatchSends, 20_000);
        var floor = await RunFloorAsync(o, parts);
        var databaseInGroupsOfLanes = await RunDatabaseOnlyAsync(o, parts, o.Lanes);
        var databaseInGroupsOfBatch = await RunDatabaseOnlyAsync(o, parts, BatchSize);
        var ratio = (double)loyalty["sends_per_s"]! / (double)jobs["sends_per_s"]!;
        Console.WriteLine($"dispatch: Loyalty batch claim ({o.Lanes} lanes, {o.Concurrency} SMTP connections) {loyalty["sends_per_s"]:F0} sends/s ({o.DispatchSends}), one Hangfire job per e-mail {jobs["sends_per_s"]:F0} sends/s ({o.BaselineSends}): {ratio:F1}x");
        Console.WriteLine($"dispatch: Loyalty wrote its {loyalty["sends"]} results in {loyalty["result_writes"]} store calls ({loyalty["results_per_write"]:F1} per call)");
        Console.WriteLine($"dispatch: harness process CPU per send: Loyalty {loyalty["process_cpu_ms_per_send"]:F2} ms, one job per e-mail {jobs["process_cpu_ms_per_send"]:F2} ms (PostgreSQL and smtp-sink not included)");
        foreach (var (name, run) in new[]
        {
            ("Loyalty", loyalty), ("one job per e-mail", jobs), ("e-mail work only", floor),
            ($"database work only, results in groups of {o.Lanes}", databaseInGroupsOfLanes), ($"database work only, results in groups of {BatchSize}", databaseInGroupsOfBatch),
        })
        {
            if (run["machine_cpu"] is Dictionary<string, object?> m)
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"dispatch: {name} CPU ms per send by process: harness {m["harness_cpu_ms_per_send"]:F2}, postgres {m["postgres_cpu_ms_per_send"]:F2}, smtp-sink {m["smtp-sink_cpu_ms_per_send"]:F2}, other {m["other_cpu_ms_per_send"]:F2}; cores busy {m["machine_busy_share"]:P0}; allocated {run["allocated_kb_per_send"]:F0} KB per send, {run["gen0_collections"]} gen0 / {run["gen1_collections"]} gen1 / {run["gen2_collections"]} gen2 collections, GC pauses {run["gc_pause_ms_per_send"]:F3} ms per send, promoted per gen0/gen1 GC {run["gen0_promoted_kb_per_gc"]:F0}/{run["gen1_promoted_kb_per_gc"]:F0} KB; JIT {run["jit_methods"]} methods in {run["jit_ms"]:F0} ms"));
            }
        }
        var ceiling = (double)floor["sends_per_s"]! / (double)jobs["sends_per_s"]!;
        Console.WriteLine($"dispatch: the e-mail work alone (render, compose, send; no database, no scheduler) {floor["sends_per_s"]:F0} sends/s ({floor["sends"]}): {ceiling:F1}x the job per e-mail, the most any dispatcher could reach here; Loyalty reaches {(double)loyalty["sends_per_s"]! / (double)floor["sends_per_s"]!:P0} of it");
        var bound = Bound(floor, databaseInGroupsOfLanes, jobs);
        var boundOfBatch = Bound(floor, databaseInGroupsOfBatch, jobs);
        if (bound is not null && boundOfBatch is not null)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"dispatch: e-mail work + database work alone, all processes: {bound["cpu_ms_per_send"]:F2} ms of CPU per send with results in groups of {o.Lanes} ({boundOfBatch["cpu_ms_per_send"]:F2} ms in groups of {BatchSize}): with no other work and all {Environment.ProcessorCount} cores busy at most {bound["sends_per_s"]:F0} sends/s = {bound["vs_job_per_email"]:F1}x the job per e-mail ({boundOfBatch["sends_per_s"]:F0} sends/s = {boundOfBatch["vs_job_per_email"]:F1}x)"));
        }

        return new Dictionary<string, object?>
        {
            ["loyalty"] = loyalty, ["job_per_email"] = jobs, ["email_work_only"] = floor, ["dispatch_vs_job_per_email"] = ratio,
            ["email_work_only_vs_job_per_email"] = ceiling, ["warmup"] = warmup, ["smtp_connections"] = o.Concurrency, ["lanes"] = o.Lanes,
            ["database_work_only_groups_of_lanes"] = databaseInGroupsOfLanes, ["database_work_only_groups_of_batch"] = databaseInGroupsOfBatch,
            ["cpu_bound_groups_of_lanes"] = bound, ["cpu_bound_groups_of_batch"] = boundOfBatch,
        };
    }

    // The claim batch of EmailOptions.BatchSize's default, which the harness keeps.
    private const int BatchSize = 100;

    /// <summary>
    /// The least CPU a send costs on this machine when each send is recorded in the database: the e-mail work alone plus
    /// the database work alone, both all processes (harness, PostgreSQL, smtp-sink). Spread over every core at 100%, it
    /// bounds the rate any dispatcher recording its sends this way could reach here, whatever its own overhead.
    /// </summary>
    private static Dictionary<string, object?>? Bound(Dictionary<string, object?> email, Dictionary<string, object?> database, Dictionary<string, object?> jobs)
    {
        if (email["machine_cpu"] is not Dictionary<string, object?> e || database["machine_cpu"] is not Dictionary<string, object?> d)
        {
            return null;
        }

        static double All(Dictionary<string, object?> m) =>
            new[] { "harness", "postgres", "smtp-sink", "other" }.Sum(g => (double)m[g + "_cpu_ms_per_send"]!);
        var cpu = All(e) + All(d);
        var rate = Environment.ProcessorCount * 1000.0 / cpu;
        return new Dictionary<string, object?>
        {
            ["cpu_ms_per_send"] = cpu, ["cores"] = Environment.ProcessorCount, ["sends_per_s"] = rate, ["vs_job_per_email"] = rate / (double)jobs["sends_per_s"]!,
        };
    }

    private static async Task WaitAsync(Func<Task<bool>> done, TimeSpan timeout, string what)
    {
        var deadline = Stopwatch.StartNew();
        while (!await done())
        {
            if (deadline.Elapsed > timeout)
            {
                throw new TimeoutException($"{what} did not finish within {timeout}");
            }

            await Task.Delay(100);
        }
    }

    private static TimeSpan Timeout(int n) => TimeSpan.FromSeconds(120 + n / 20.0);

    private static async Task<Dictionary<string, object?>> RunLoyaltyAsync(HarnessOptions o, int n)
    {
        await using var db = await BenchDatabase.CreateAsync(Provider.PostgreSql, "dispatch", o);
        var probe = new DeliveryProbe();
        using var host = await BenchHost.BuildAsync(o, new HostSpec { Database = db, Email = Flow, Hangfire = HangfireMode.PostgreSql, HangfireServer = true }, probe);
        await IntakeStage.SeedCustomersAsync(host, db, n, stepState: 0);
        await host.StartAsync();
        await WaitAsync(() => Task.FromResult(probe.Delivered >= 1), TimeSpan.FromSeconds(60), "the template step");
        // The dispatch's group commit: how many results each write to the step store carried.
        long writes = 0, results = 0;
        using var listener = new System.Diagnostics.Metrics.MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Name == "loyalty.email.steps.results_per_write")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<int>((_, value, _, _) =>
        {
            Interlocked.Increment(ref writes);
            Interlocked.Add(ref results, value);
        });
        listener.Start();
        var measurement = RunMeasurement.Start();
        host.Services.GetRequiredService<IBackgroundJobClient>().Enqueue<DispatchJobs>(j => j.SweepAsync(CancellationToken.None));
        await WaitAsync(async () => probe.Delivered >= n + 1 && await db.ScalarAsync("SELECT count(*) FROM loyalty_scheduled_steps WHERE state IN (0, 1)") == 0, Timeout(n), "Loyalty dispatch");
        var result = measurement.Stop(n);
        result["rows_sent"] = await db.ScalarAsync("SELECT count(*) FROM loyalty_scheduled_steps WHERE state = 2");
        result["smtp_failed"] = probe.Failed;
        result["result_writes"] = Interlocked.Read(ref writes);
        result["results_per_write"] = Interlocked.Read(ref writes) == 0 ? null : (double)Interlocked.Read(ref results) / Interlocked.Read(ref writes);
        await host.StopAsync();
        return result;
    }

    private static async Task<Dictionary<string, object?>> RunJobPerEmailAsync(HarnessOptions o, int n)
    {
        await using var db = await BenchDatabase.CreateAsync(Provider.PostgreSql, "jobs", o);
        var probe = new DeliveryProbe();
        void Jobs(IServiceCollection s) => s.AddTransient<PerEmailJob>();
        double enqueueSeconds;
        using (var client = await BenchHost.BuildAsync(o, new HostSpec { Database = db, Email = Flow, Hangfire = HangfireMode.PostgreSql, Services = Jobs }, probe))
        {
            await IntakeStage.SeedCustomersAsync(client, db, n, stepState: 2);
            var jobs = client.Services.GetRequiredService<IBackgroundJobClient>();
            var enqueue = Stopwatch.StartNew();
            await Parallel.ForEachAsync(Enumerable.Range(1, n), new ParallelOptions { MaxDegreeOfParallelism = o.Concurrency }, (i, _) =>
            {
                var id = "c" + i.ToString(CultureInfo.InvariantCulture);
                jobs.Enqueue<PerEmailJob>(j => j.SendAsync(id));
                return ValueTask.CompletedTask;
            });
            enqueueSeconds = enqueue.Elapsed.TotalSeconds;
        }

        using var host = await BenchHost.BuildAsync(o, new HostSpec { Database = db, Email = Flow, Hangfire = HangfireMode.PostgreSql, HangfireServer = true, Services = Jobs }, probe);
        var measurement = RunMeasurement.Start();
        await host.StartAsync();
        // n per-e-mail jobs plus the immediate step of the template event.
        await WaitAsync(() => Task.FromResult(probe.Delivered >= n + 1), Timeout(n), "one job per e-mail");
        var result = measurement.Stop(n);
        result["enqueue_seconds"] = enqueueSeconds;
        result["smtp_failed"] = probe.Failed;
        await host.StopAsync();
        return result;
    }

    /// <summary>
    /// The floor: what any dispatcher has to do per e-mail on this machine — render the same template for a customer,
    /// compose, send through the same pooled transport with the same concurrency — and nothing else: no database, no
    /// scheduler, the customer built in memory. Its rate over the job per e-mail's bounds the ratio any batch claim
    /// could reach here.
    /// </summary>
    private static async Task<Dictionary<string, object?>> RunFloorAsync(HarnessOptions o, int n)
    {
        await using var db = await BenchDatabase.CreateAsync(Provider.PostgreSql, "floor", o);
        var probe = new DeliveryProbe();
        using var host = await BenchHost.BuildAsync(o, new HostSpec { Database = db, Email = Flow }, probe);
        var renderer = host.Services.GetRequiredService<IEmailTemplateRenderer>();
        var models = host.Services.GetRequiredService<TemplateModelFactory>();
        var transport = host.Services.GetRequiredService<IEmailTransport>();
        async ValueTask SendOneAsync(int i, CancellationToken ct)
        {
            var id = "c" + i.ToString(CultureInfo.InvariantCulture);
            var customer = new LoyaltyCustomer
            {
                CustomerId = id, Email = id + "@example.test", NormalizedEmail = id + "@example.test", FirstName = "Mei", LastName = "Lin", Locale = "en", TimeZone = "Asia/Taipei",
            };
            var trigger = IntakeStage.Order("floor-" + id, id, "order-" + id, DateTimeOffset.UtcNow);
            var content = renderer.Render("order-receipt", customer.Locale, models.Create(trigger, customer));
            var message = EmailMessageComposer.Compose(content, new Envelope("Tea & Kettle <care@shop.example>", null, customer.Email, customer.FirstName, $"{Guid.NewGuid():N}@shop.example", null, DateTimeOffset.UtcNow));
            var result = await transport.SendAsync(message, ct);
            if (result.Outcome != DeliveryOutcome.Delivered)
            {
                throw new InvalidOperationException(result.Reason);
            }
        }

        var parallel = new ParallelOptions { MaxDegreeOfParallelism = o.Lanes };
        await Parallel.ForEachAsync(Enumerable.Range(1, Math.Min(n, 2_000)), parallel, SendOneAsync);
        var measurement = RunMeasurement.Start();
        await Parallel.ForEachAsync(Enumerable.Range(1, n), parallel, SendOneAsync);
        var result = measurement.Stop(n);
        result["smtp_failed"] = probe.Failed;
        return result;
    }

    /// <summary>
    /// The database work alone: what recording the sends costs and nothing else — due steps claimed in batches of
    /// <see cref="BatchSize"/> through the step store (<see cref="HarnessOptions.Lanes"/> claimers at once, as the
    /// dispatch has lanes), each step's result written as Sent through <see cref="IScheduledStepStore.TryUpdateManyAsync"/>
    /// in groups of <paramref name="group"/>; no e-mail, no flow, no template. With groups of the lane count it is the
    /// best case of the dispatch's group commit (which never leaves more than one unrecorded send per lane), with groups
    /// of a whole batch the least any per-row record could cost.
    /// </summary>
    private static async Task<Dictionary<string, object?>> RunDatabaseOnlyAsync(HarnessOptions o, int n, int group)
    {
        await using var db = await BenchDatabase.CreateAsync(Provider.PostgreSql, "records", o);
        var probe = new DeliveryProbe();
        using var host = await BenchHost.BuildAsync(o, new HostSpec { Database = db, Email = Flow }, probe);
        await IntakeStage.SeedCustomersAsync(host, db, n, stepState: 0);
        var scopes = host.Services.GetRequiredService<IServiceScopeFactory>();
        var owner = "records-" + Guid.NewGuid().ToString("N");
        var recorded = 0;
        async Task ClaimAndRecordAsync()
        {
            while (true)
            {
                await using var scope = scopes.CreateAsyncScope();
                var store = scope.ServiceProvider.GetRequiredService<IScheduledStepStore>();
                var batch = await store.ClaimDueAsync(DateTimeOffset.UtcNow, BatchSize, owner, TimeSpan.FromMinutes(5), CancellationToken.None);
                if (batch.Count == 0)
                {
                    return;
                }

                foreach (var chunk in batch.Chunk(group))
                {
                    var now = DateTimeOffset.UtcNow;
                    var updates = chunk.Select(step =>
                    {
                        var version = step.Version;
                        step.State = StepState.Sent;
                        step.LeaseOwner = null;
                        step.UpdatedAt = now;
                        step.CompletedAt = now;
                        step.MessageId = $"{step.Id:N}@shop.example";
                        return new StepUpdate(step, version);
                    }).ToList();
                    var written = await store.TryUpdateManyAsync(updates, CancellationToken.None);
                    Interlocked.Add(ref recorded, written.Count(w => w));
                }
            }
        }

        // Untimed: the first 2,000 rows warm the statements and the connection pool, as the other variants warm up.
        await db.ExecuteAsync($"UPDATE loyalty_scheduled_steps SET available_at = available_at + {TimeSpan.FromDays(1).Ticks} WHERE state = 0");
        await db.ExecuteAsync($"UPDATE loyalty_scheduled_steps SET available_at = available_at - {TimeSpan.FromDays(1).Ticks} WHERE id IN (SELECT id FROM loyalty_scheduled_steps WHERE state = 0 LIMIT {Math.Min(n, 2_000)})");
        await Task.WhenAll(Enumerable.Range(0, o.Lanes).Select(_ => Task.Run(ClaimAndRecordAsync)));
        await db.ExecuteAsync($"UPDATE loyalty_scheduled_steps SET available_at = available_at - {TimeSpan.FromDays(1).Ticks} WHERE state = 0");
        var warm = Interlocked.Exchange(ref recorded, 0);
        var measurement = RunMeasurement.Start();
        await Task.WhenAll(Enumerable.Range(0, o.Lanes).Select(_ => Task.Run(ClaimAndRecordAsync)));
        var result = measurement.Stop(Math.Max(1, recorded));
        result["results_per_write"] = group;
        result["warm_up_records"] = warm;
        return result;
    }

    /// <summary>Parent side of the memory measurement: one fresh process per backlog size.</summary>
    public static async Task<Dictionary<string, object?>> RunMemoryAsync(HarnessOptions o, string[] forwardedArgs)
    {
        var small = await ProbeInChildAsync(o.MemorySmallBacklog, forwardedArgs);
        var large = await ProbeInChildAsync(o.MemoryLargeBacklog, forwardedArgs);
        var ratio = large.GetProperty("peak_working_set_bytes").GetDouble() / small.GetProperty("peak_working_set_bytes").GetDouble();
        Console.WriteLine($"memory: peak working set draining {o.MemoryDrain} sends from a backlog of {o.MemorySmallBacklog}: {small.GetProperty("peak_working_set_bytes").GetDouble() / 1048576:F0} MiB, of {o.MemoryLargeBacklog}: {large.GetProperty("peak_working_set_bytes").GetDouble() / 1048576:F0} MiB ({ratio:F2}x)");
        return new Dictionary<string, object?> { ["small"] = small, ["large"] = large, ["memory_large_vs_small"] = ratio };
    }

    private static async Task<JsonElement> ProbeInChildAsync(int backlog, string[] forwardedArgs)
    {
        var processPath = Environment.ProcessPath!;
        var info = new ProcessStartInfo(processPath) { RedirectStandardOutput = true };
        if (Path.GetFileNameWithoutExtension(processPath) == "dotnet")
        {
            info.ArgumentList.Add(typeof(DispatchStage).Assembly.Location);
        }

        foreach (var a in forwardedArgs)
        {
            info.ArgumentList.Add(a);
        }

        info.ArgumentList.Add("--probe-backlog");
        info.ArgumentList.Add(backlog.ToString(CultureInfo.InvariantCulture));
        using var process = Process.Start(info)!;
        var output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        var line = output.Split('\n').LastOrDefault(l => l.StartsWith('{'));
        if (process.ExitCode != 0 || line is null)
        {
            throw new InvalidOperationException($"memory probe (backlog {backlog}) failed with exit code {process.ExitCode}: {output}");
        }

        return JsonDocument.Parse(line).RootElement.Clone();
    }

    /// <summary>Child side: seed the backlog, drain the first <see cref="HarnessOptions.MemoryDrain"/> sends, report the peak working set.</summary>
    public static async Task<int> ProbeAsync(HarnessOptions o, int backlog)
    {
        await using var db = await BenchDatabase.CreateAsync(Provider.PostgreSql, "mem", o);
        var probe = new DeliveryProbe();
        using var host = await BenchHost.BuildAsync(o, new HostSpec { Database = db, Email = Flow }, probe);
        await IntakeStage.SeedCustomersAsync(host, db, backlog, stepState: 0);
        var dispatcher = host.Services.GetRequiredService<StepDispatcher>();
        GC.Collect();
        using var process = Process.GetCurrentProcess();
        process.Refresh();
        var before = process.WorkingSet64;
        long peak = before;
        using var stop = new CancellationTokenSource();
        var drain = Math.Min(o.MemoryDrain, backlog);
        var watch = Stopwatch.StartNew();
        var sampler = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                process.Refresh();
                peak = Math.Max(peak, process.WorkingSet64);
                if (probe.Delivered >= drain)
                {
                    await stop.CancelAsync();
                    break;
                }

                await Task.Delay(50);
            }
        });
        try
        {
            await dispatcher.DispatchDueAsync(stop.Token);
        }
        catch (OperationCanceledException)
        {
        }

        await stop.CancelAsync();
        await sampler;
        watch.Stop();
        Console.WriteLine(JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["backlog"] = backlog, ["drained"] = probe.Delivered, ["seconds"] = watch.Elapsed.TotalSeconds,
            ["working_set_before_bytes"] = before, ["peak_working_set_bytes"] = peak,
        }));
        return 0;
    }
}

/// <summary>The naive way: one Hangfire job per e-mail that loads the customer, renders, composes and sends it.</summary>
public sealed class PerEmailJob(IServiceScopeFactory scopes, IEmailTemplateRenderer renderer, IEmailTransport transport, TemplateModelFactory models)
{
    [AutomaticRetry(Attempts = 0)]
    public async Task SendAsync(string customerId)
    {
        await using var scope = scopes.CreateAsyncScope();
        var store = scope.ServiceProvider.GetRequiredService<ICustomerStore>();
        var customer = await store.FindByIdAsync(customerId, CancellationToken.None) ?? throw new InvalidOperationException($"no customer {customerId}");
        _ = await store.GetOrdersAsync(customerId, CancellationToken.None);
        var trigger = IntakeStage.Order("job-" + customerId, customerId, "order-" + customerId, DateTimeOffset.UtcNow);
        var content = renderer.Render("order-receipt", customer.Locale ?? "en", models.Create(trigger, customer));
        var message = EmailMessageComposer.Compose(content, new Envelope("Tea & Kettle <care@shop.example>", null, customer.Email, customer.FirstName, $"{Guid.NewGuid():N}@shop.example", null, DateTimeOffset.UtcNow));
        var result = await transport.SendAsync(message, CancellationToken.None);
        if (result.Outcome != DeliveryOutcome.Delivered)
        {
            throw new InvalidOperationException(result.Reason);
        }
    }
}
