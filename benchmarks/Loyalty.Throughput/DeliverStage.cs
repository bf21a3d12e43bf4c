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
        var messages = new MimeMessage[n];
        for (var i = 0; i < n; i++)
        {
            messages[i] = EmailMessageComposer.Compose(renderer.Render(BenchEmail.TemplateName, "en", BenchEmail.Model(i)), BenchEmail.Envelope(i));
        }

        using var sizeStream = new MemoryStream();
        messages[0].WriteTo(sizeStream);
        var size = (int)sizeStream.Length;
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = o.Concurrency };

        // Warm-up: open the pool's connections and JIT both paths.
        await Parallel.ForEachAsync(messages.Take(o.Concurrency * 2), parallel, async (m, ct) => await transport.SendAsync(m, ct));
        await Parallel.ForEachAsync(messages.Take(o.Concurrency), parallel, async (m, ct) => await SendOnNewConnectionAsync(o, m, ct));

        var failedBefore = probe.Failed;
        var watch = Stopwatch.StartNew();
        await Parallel.ForEachAsync(messages, parallel, async (m, ct) => await transport.SendAsync(m, ct));
        var pooled = n / watch.Elapsed.TotalSeconds;
        var pooledFailed = probe.Failed - failedBefore;

        watch.Restart();
        await Parallel.ForEachAsync(messages, parallel, async (m, ct) => await SendOnNewConnectionAsync(o, m, ct));
        var perConnection = n / watch.Elapsed.TotalSeconds;

        // Scratch measurement of the open finding (Nagle + delayed ACK): reused MailKit connections on sockets with
        // TCP_NODELAY, one per worker, otherwise the pooled shape. Not Loyalty's code: what a fix in the pool would give.
        var clients = new SmtpClient[o.Concurrency];
        for (var c = 0; c < clients.Length; c++)
        {
            clients[c] = await ConnectNoDelayAsync(o);
        }

        var next = -1;
        watch.Restart();
        await Task.WhenAll(clients.Select(async client =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < n)
            {
                await client.SendAsync(messages[i]);
            }
        }));
        var reusedNoDelay = n / watch.Elapsed.TotalSeconds;
        foreach (var client in clients)
        {
            await client.DisconnectAsync(true);
            client.Dispose();
        }

        // smtp-source: same count, same size, same concurrency; -d keeps each session's connection (the pooled shape).
        var sourceReuse = await RunSmtpSourceAsync(o, n, size, reuse: true);
        var sourceNew = await RunSmtpSourceAsync(o, n, size, reuse: false);

        Console.WriteLine($"deliver: {n} msgs x {size} B, concurrency {o.Concurrency}: pooled {pooled:F0}/s, connection-per-message {perConnection:F0}/s, reused+TCP_NODELAY {reusedNoDelay:F0}/s, smtp-source -d {sourceReuse:F0}/s, smtp-source (new connection each) {sourceNew:F0}/s");
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
            ["deliver_vs_connection_per_message"] = pooled / perConnection,
            ["deliver_vs_smtp_source"] = pooled / sourceReuse,
        };
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
