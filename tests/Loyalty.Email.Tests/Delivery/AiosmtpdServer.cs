using System.Diagnostics;
using System.Globalization;

namespace Loyalty.Email.Tests.Delivery;

/// <summary>A message as the test SMTP server received it: the raw DATA bytes and the envelope recipients.</summary>
internal sealed record ReceivedMessage(byte[] Raw, IReadOnlyList<string> Recipients)
{
    public string Text => System.Text.Encoding.UTF8.GetString(Raw);
}

/// <summary>
/// A real SMTP server for the Delivery tests: Debian's aiosmtpd (python3-aiosmtpd) run by a small inline handler
/// that saves every message to a temporary folder and counts connections. Reply rules, chosen by the recipient:
/// <c>bounce</c> → 550 5.1.1 at RCPT, <c>policy</c> → 550 5.7.1 at RCPT, <c>busy</c> → 452 4.2.2 at RCPT,
/// <c>tempfail</c> → 451 4.3.0 at DATA the first time a Message-ID is seen, <c>reject</c> → 554 5.6.0 at DATA.
/// Each test starts its own server so connection counts belong to that test alone.
/// </summary>
internal sealed class AiosmtpdServer : IAsyncDisposable
{
    private const string Script = """
        import asyncio, email, os, sys
        from aiosmtpd.smtp import SMTP

        out, port = sys.argv[1], int(sys.argv[2])
        msgdir = os.path.join(out, "messages")
        os.makedirs(msgdir, exist_ok=True)

        def append(name, line):
            with open(os.path.join(out, name), "a") as f:
                f.write(line + "\n")

        class Handler:
            def __init__(self):
                self.seen_tempfail = set()
                self.count = len(os.listdir(msgdir))

            async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
                if "bounce" in address:
                    return "550 5.1.1 <%s>: Recipient address rejected: User unknown" % address
                if "policy" in address:
                    return "550 5.7.1 Message refused by local policy"
                if "busy" in address:
                    return "452 4.2.2 Mailbox full, try again later"
                envelope.rcpt_tos.append(address)
                return "250 OK"

            async def handle_NOOP(self, server, session, envelope, arg):
                append("noops.log", "noop")
                return "250 OK"

            async def handle_DATA(self, server, session, envelope):
                content = envelope.original_content or envelope.content
                mid = email.message_from_bytes(content).get("Message-ID", "")
                if any("tempfail" in r for r in envelope.rcpt_tos) and mid not in self.seen_tempfail:
                    self.seen_tempfail.add(mid)
                    return "451 4.3.0 Temporary local problem, try again"
                if any("reject" in r for r in envelope.rcpt_tos):
                    return "554 5.6.0 Message content rejected"
                self.count += 1
                base = os.path.join(msgdir, "%06d" % self.count)
                with open(base + ".rcpt.tmp", "w") as f:
                    f.write("\n".join(envelope.rcpt_tos))
                os.replace(base + ".rcpt.tmp", base + ".rcpt")
                with open(base + ".eml.tmp", "wb") as f:
                    f.write(content)
                os.replace(base + ".eml.tmp", base + ".eml")
                return "250 2.0.0 Ok: queued as %06d" % self.count

        class CountingSMTP(SMTP):
            def connection_made(self, transport):
                append("connections.log", "connect")
                super().connection_made(transport)

        async def main():
            handler = Handler()
            loop = asyncio.get_running_loop()
            server = await loop.create_server(
                lambda: CountingSMTP(handler, decode_data=False, hostname="loyalty-test", ident="Loyalty test SMTP"),
                "127.0.0.1", port)
            print("PORT %d" % server.sockets[0].getsockname()[1], flush=True)
            await server.serve_forever()

        asyncio.run(main())
        """;

    private readonly string _directory;
    private Process? _process;

    private AiosmtpdServer(string directory) => _directory = directory;

    /// <summary>The port the server listens on (127.0.0.1); stays the same across <see cref="RestartAsync"/>.</summary>
    public int Port { get; private set; }

    /// <summary>Connections the server accepted since it was first started.</summary>
    public int ConnectionCount => CountLines("connections.log");

    /// <summary>NOOP commands the server answered since it was first started.</summary>
    public int NoopCount => CountLines("noops.log");

    /// <summary>Every message accepted so far, oldest first. A message is on disk before its 250 reply.</summary>
    public IReadOnlyList<ReceivedMessage> Messages
    {
        get
        {
            var folder = Path.Combine(_directory, "messages");
            if (!Directory.Exists(folder))
            {
                return [];
            }

            return Directory.GetFiles(folder, "*.eml")
                .Order(StringComparer.Ordinal)
                .Select(path => new ReceivedMessage(
                    File.ReadAllBytes(path),
                    File.ReadAllLines(Path.ChangeExtension(path, ".rcpt"))))
                .ToList();
        }
    }

    /// <summary>The python interpreter that has aiosmtpd and dkim: Debian's, or LOYALTY_TEST_PYTHON.</summary>
    public static string Python => Environment.GetEnvironmentVariable("LOYALTY_TEST_PYTHON") is { Length: > 0 } python
        ? python
        : "/usr/bin/python3";

    /// <summary>Starts a server on a free port.</summary>
    public static async Task<AiosmtpdServer> StartAsync()
    {
        var directory = Path.Combine(Path.GetTempPath(), "loyalty-smtp-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        var server = new AiosmtpdServer(directory);
        await server.LaunchAsync(0);
        return server;
    }

    /// <summary>Kills the server process; connections drop, new ones are refused.</summary>
    public async Task StopAsync()
    {
        if (_process is { } process)
        {
            _process = null;
            if (!process.HasExited)
            {
                process.Kill();
            }

            await process.WaitForExitAsync();
            process.Dispose();
        }
    }

    /// <summary>Starts the server again on the same port.</summary>
    public async Task RestartAsync()
    {
        await StopAsync();
        await LaunchAsync(Port);
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp folder is harmless.
        }
    }

    private async Task LaunchAsync(int port)
    {
        var start = new ProcessStartInfo(Python)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(Script);
        start.ArgumentList.Add(_directory);
        start.ArgumentList.Add(port.ToString(CultureInfo.InvariantCulture));
        var process = Process.Start(start) ?? throw new InvalidOperationException("python did not start");
        var stderr = process.StandardError.ReadToEndAsync();
        string? line;
        try
        {
            line = await process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(20));
        }
        catch (TimeoutException)
        {
            process.Kill();
            throw;
        }

        if (line is null || !line.StartsWith("PORT ", StringComparison.Ordinal))
        {
            await process.WaitForExitAsync();
            throw new InvalidOperationException($"aiosmtpd did not start (is python3-aiosmtpd installed for {Python}?): {await stderr}");
        }

        Port = int.Parse(line.AsSpan(5), CultureInfo.InvariantCulture);
        _process = process;
    }

    private int CountLines(string name)
    {
        var path = Path.Combine(_directory, name);
        return File.Exists(path) ? File.ReadAllLines(path).Length : 0;
    }
}
