using System.Diagnostics;
using System.Globalization;
using Loyalty.Benchmarks.Shared;
using Loyalty.Email.Composition;
using Loyalty.Email.Delivery;
using Loyalty.Email.Templates;
using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.DependencyInjection;
using MimeKit;

namespace Loyalty.Throughput;

/// <summary>Stage 2: N composed messages to smtp-sink; pooled transport vs a connection per message vs smtp-source.</summary>
public static class DeliverStage
{
    private const int WarmUpMessages = 2_000;

    // The pooled transport, the reused-connection reference and smtp-source each run this many times, alternating, and
    // the median counts: on a shared 2-core machine one run of 3,000 messages (under a second) is at the mercy of a
    // neighbour, and the first run of .NET code also pays for the JIT's background tier-up.
    private const int Rounds = 5;

    public static async Task<Dictionary<string, object?>> RunAsync(HarnessOptions o)
    {
        var probe = new DeliveryProbe();
        await using var services = BenchEmail.BuildEmailServices(o.SmtpHost, o.SmtpPort, s =>
        {
            s.AddSingleton(probe);
            s.AddSingleton<IEmailTransport>(sp => new ObservedTransport(sp.GetRequiredService<SmtpEmailTransport>(), probe));
        });
        var renderer = services.GetRequiredService<IEmailTemplateRenderer>();
        var transport = services.GetRequiredService<IEmailTransport>();
        var n = o.DeliverMessages;
        var composed = 0;

        // Every timed send gets a message nobody has sent yet: MailKit prepares a message in place on its first send
        // (scans each part to pick its Content-Transfer-Encoding), so a re-sent message is cheaper than a new one.
        MimeMessage[] Compose(int count) => [.. Enumerable.Range(0, count).Select(_ =>
        {
            var i = composed++;
            return EmailMessageComposer.Compose(renderer.Render(BenchEmail.TemplateName, "en", BenchEmail.Model(i)), BenchEmail.Envelope(i));
        })];

        var warmUp = Math.Min(n, WarmUpMessages);
        var size = MessageSize(Compose(1)[0]);
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = o.Concurrency };

        // Scratch reference: reused MailKit connections on sockets with TCP_NODELAY, one per worker, no pool around
        // them. Not Loyalty's code: what MailKit alone does on this machine.
        var clients = new SmtpClient[o.Concurrency];
        for (var c = 0; c < clients.Length; c++)
        {
            clients[c] = await ConnectNoDelayAsync(o);
        }

        // Warm-up: open the pool's connections and let the JIT reach its optimised code on both send paths (with a
        // handful of sends the first timed run paid for tier-0 code while later variants did not).
        await Parallel.ForEachAsync(Compose(warmUp), parallel, async (m, ct) => await transport.SendAsync(m, ct));
        await SendOnEachAsync(clients, Compose(warmUp));
        await Parallel.ForEachAsync(Compose(o.Concurrency), parallel, async (m, ct) => await SendOnNewConnectionAsync(o, m, ct));

        // One more untimed round of each .NET path at full size: after the sends above, the first timed round still
        // ran at about twice the CPU per message of the later ones (0.41-0.44 ms against 0.18-0.23 ms in runs G and H,
        // the JIT still tiering the send path), and the median then rested on the two later rounds alone.
        var warmRound = Stopwatch.StartNew();
        await Parallel.ForEachAsync(Compose(n), parallel, async (m, ct) => await transport.SendAsync(m, ct));
        var warmPooled = n / warmRound.Elapsed.TotalSeconds;
        warmRound.Restart();
        await SendOnEachAsync(clients, Compose(n));
        var warmReused = n / warmRound.Elapsed.TotalSeconds;
        Console.WriteLine($"deliver warm-up round, not counted (pooled | reused+TCP_NODELAY): {warmPooled:F0} | {warmReused:F0}");

        var failedBefore = probe.Failed;
        List<double> pooledRounds = [], reusedRounds = [], sourceRounds = [];
        List<Dictionary<string, object?>> pooledCpu = [];
        MimeMessage[] messages = [];
        for (var round = 0; round < Rounds; round++)
        {
            messages = Compose(n);
            var reusedMessages = Compose(n);
            var cpuBefore = MachineCpu.Available ? MachineCpu.Read() : null;
            var watch = Stopwatch.StartNew();
            await Parallel.ForEachAsync(messages, parallel, async (m, ct) => await transport.SendAsync(m, ct));
            pooledRounds.Add(n / watch.Elapsed.TotalSeconds);
            if (cpuBefore is not null)
            {
                pooledCpu.Add(MachineCpu.Read().PerUnitSince(cpuBefore, n));
            }

            watch.Restart();
            await SendOnEachAsync(clients, reusedMessages);
            reusedRounds.Add(n / watch.Elapsed.TotalSeconds);

            // smtp-source: same count, same size, same concurrency; -d keeps each session's connection (the pooled shape).
            sourceRounds.Add(await RunSmtpSourceAsync(o, n, size, reuse: true));
        }

        var pooled = Median(pooledRounds);
        var reusedNoDelay = Median(reusedRounds);
        var sourceReuse = Median(sourceRounds);
        var pooledFailed = probe.Failed - failedBefore;
        foreach (var client in clients)
        {
            await client.DisconnectAsync(true);
            client.Dispose();
        }

        var perConnectionWatch = Stopwatch.StartNew();
        await Parallel.ForEachAsync(messages, parallel, async (m, ct) => await SendOnNewConnectionAsync(o, m, ct));
        var perConnection = n / perConnectionWatch.Elapsed.TotalSeconds;
        var sourceNew = await RunSmtpSourceAsync(o, n, size, reuse: false);

        static string Rates(List<double> rates) => string.Join(" ", rates.Select(r => r.ToString("F0", CultureInfo.InvariantCulture)));
        Console.WriteLine($"deliver rounds (pooled | reused+TCP_NODELAY | smtp-source -d): {Rates(pooledRounds)} | {Rates(reusedRounds)} | {Rates(sourceRounds)}");
        foreach (var cpu in pooledCpu)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"deliver: pooled round CPU ms per message by process: harness {cpu["harness_cpu_ms_per_send"]:F3}, smtp-sink {cpu["smtp-sink_cpu_ms_per_send"]:F3}, other {cpu["other_cpu_ms_per_send"]:F3}; cores busy {cpu["machine_busy_share"]:P0}"));
        }

        Console.WriteLine($"deliver: {n} msgs x {size} B, concurrency {o.Concurrency}, median of {Rounds} rounds: pooled {pooled:F0}/s, connection-per-message {perConnection:F0}/s, reused+TCP_NODELAY {reusedNoDelay:F0}/s, smtp-source -d {sourceReuse:F0}/s, smtp-source (new connection each) {sourceNew:F0}/s");
        return new Dictionary<string, object?>
        {
            ["messages"] = n,
            ["message_bytes"] = size,
            ["concurrency"] = o.Concurrency,
            ["pooled_msgs_per_s"] = pooled,
            ["pooled_failed"] = pooledFailed,
            ["connection_per_message_msgs_per_s"] = perConnection,
            ["reused_connections_tcp_nodelay_msgs_per_s"] = reusedNoDelay,
            ["smtp_source_reuse_msgs_per_s"] = sourceReuse,
            ["smtp_source_new_connection_msgs_per_s"] = sourceNew,
            ["rounds"] = Rounds,
            ["warm_up_round_pooled_msgs_per_s"] = warmPooled,
            ["warm_up_round_reused_msgs_per_s"] = warmReused,
            ["pooled_rounds_msgs_per_s"] = pooledRounds,
            ["pooled_rounds_machine_cpu"] = pooledCpu,
            ["reused_connections_tcp_nodelay_rounds_msgs_per_s"] = reusedRounds,
            ["smtp_source_reuse_rounds_msgs_per_s"] = sourceRounds,
            ["deliver_vs_connection_per_message"] = pooled / perConnection,
            ["deliver_vs_smtp_source"] = pooled / sourceReuse,
        };
    }

    private static double Median(List<double> values) => values.Order().ElementAt(values.Count / 2);

    private static int MessageSize(MimeMessage message)
    {
        using var stream = new MemoryStream();
        message.WriteTo(stream);
        return (int)stream.Length;
    }

    private static Task SendOnEachAsync(SmtpClient[] clients, MimeMessage[] messages)
    {
        var next = -1;
        return Task.WhenAll(clients.Select(async client =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < messages.Length)
            {
                await client.SendAsync(messages[i]);
            }
        }));
    }

    private static async Task SendOnNewConnectionAsync(HarnessOptions o, MimeMessage message, CancellationToken ct)
    {
        using var client = new SmtpClient();
        await client.ConnectAsync(o.SmtpHost, o.SmtpPort, SecureSocketOptions.None, ct);
        await client.SendAsync(message, ct);
        await client.DisconnectAsync(true, ct);
    }

    private static async Task<SmtpClient> ConnectNoDelayAsync(HarnessOptions o)
    {
        var socket = new System.Net.Sockets.Socket(System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(o.SmtpHost, o.SmtpPort);
        var client = new SmtpClient();
        await client.ConnectAsync(socket, o.SmtpHost, o.SmtpPort, SecureSocketOptions.None);
        return client;
    }

    private static async Task<double> RunSmtpSourceAsync(HarnessOptions o, int n, int size, bool reuse)
    {
        var args = new List<string> { "-s", o.Concurrency.ToString(CultureInfo.InvariantCulture), "-m", n.ToString(CultureInfo.InvariantCulture), "-l", size.ToString(CultureInfo.InvariantCulture), "-f", "care@shop.example", "-t", "sink@example.test" };
        if (reuse)
        {
            args.Insert(0, "-d");
        }

        args.Add($"{o.SmtpHost}:{o.SmtpPort}");
        var info = new ProcessStartInfo(o.SmtpSource) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var a in args)
        {
            info.ArgumentList.Add(a);
        }

        var watch = Stopwatch.StartNew();
        using var process = Process.Start(info) ?? throw new InvalidOperationException("smtp-source did not start");
        var stderr = process.StandardError.ReadToEndAsync();
        await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        watch.Stop();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"smtp-source exited {process.ExitCode}: {await stderr}");
        }

        return n / watch.Elapsed.TotalSeconds;
    }
}
