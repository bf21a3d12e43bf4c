using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using MimeKit;
using Xunit;

namespace Loyalty.IntegrationTests.Infrastructure;

/// <summary>Fault injection for an independent <see cref="SmtpServerFixture"/> instance.</summary>
public sealed record SmtpServerOptions
{
    /// <summary>Percentage (0-100) of messages answered "451 4.3.0" at DATA the first time they are sent.
    /// The choice is a hash of the Message-ID, and a message is tempfailed once only, so its retry succeeds.</summary>
    public int TempFailPercent { get; init; }

    /// <summary>Recipients containing any of these (case-insensitive) get "550 5.1.1 User unknown" at RCPT TO.</summary>
    public IReadOnlyList<string> RejectRecipientSubstrings { get; init; } = [];
}

/// <summary>
/// A real SMTP server (tests/Loyalty.IntegrationTests/Infrastructure/smtp_capture_server.py, aiosmtpd,
/// run with LOYALTY_TEST_PYTHON or /usr/bin/python3) on a free loopback port, storing each accepted
/// message as a .eml file in a private temp directory.
/// </summary>
public sealed class SmtpServerFixture : IAsyncLifetime, IAsyncDisposable
{
    private const string ScriptFileName = "smtp_capture_server.py";
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(20);
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(50);

    private readonly SmtpServerOptions _options;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly string _rootDirectory;
    private Process? _process;
    private StringBuilder _stderr = new();
    private int _port;
    private bool _disposed;

    /// <summary>Used by xUnit for class and collection fixtures: no fault injection.</summary>
    public SmtpServerFixture()
        : this(new SmtpServerOptions())
    {
    }

    private SmtpServerFixture(SmtpServerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.TempFailPercent is < 0 or > 100)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.TempFailPercent, "TempFailPercent must be between 0 and 100.");
        }

        _options = options;
        _rootDirectory = Path.Combine(Path.GetTempPath(), "loyalty-smtp-" + Guid.NewGuid().ToString("N"));
        MaildirPath = Path.Combine(_rootDirectory, "maildir");
    }

    public string Host => "127.0.0.1";

    /// <summary>The port, fixed after the first start; a restart reuses it.</summary>
    public int Port => _port != 0 ? _port : throw new InvalidOperationException("The SMTP server has not been started.");

    /// <summary>Where the server stores received messages (one .eml file each).</summary>
    public string MaildirPath { get; }

    public bool IsRunning => _process is { HasExited: false };

    /// <summary>Starts an independent server with the given fault injection; dispose it when done.</summary>
    public static async Task<SmtpServerFixture> StartAsync(SmtpServerOptions options)
    {
        var fixture = new SmtpServerFixture(options);
        try
        {
            await fixture.InitializeAsync().ConfigureAwait(false);
            return fixture;
        }
        catch
        {
            await fixture.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    public Task InitializeAsync() => StartAsync();

    /// <summary>Starts the server (again); after a <see cref="StopAsync"/> it listens on the same port.</summary>
    public async Task StartAsync()
    {
        await _gate.WaitAsync().ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (IsRunning)
            {
                return;
            }

            // A server that died on its own: release it before launching a new one.
            await KillAsync().ConfigureAwait(false);
            Directory.CreateDirectory(MaildirPath);
            const int attempts = 5;
            for (var attempt = 1; ; attempt++)
            {
                var port = _port != 0 ? _port : PickFreePort();
                try
                {
                    await LaunchAsync(port).ConfigureAwait(false);
                    _port = port;
                    return;
                }
                catch (SmtpServerStartException ex) when (ex.PortInUse && attempt < attempts)
                {
                    // The port was taken between picking and binding: try again
                    // (a fresh port on first start, the same one on a restart).
                    await Task.Delay(TimeSpan.FromMilliseconds(100 * attempt)).ConfigureAwait(false);
                }
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Stops the server; received messages stay until <see cref="Clear"/> or disposal.</summary>
    public async Task StopAsync()
    {
        await _gate.WaitAsync().ConfigureAwait(false);
        try
        {
            await KillAsync().ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>All received messages, in arrival order. The envelope is in the X-Envelope-From and X-Envelope-To headers.</summary>
    public async Task<IReadOnlyList<MimeMessage>> ReadMessagesAsync()
    {
        var messages = new List<MimeMessage>();
        foreach (var file in ListMessageFiles())
        {
            await using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 4096, useAsync: true);
            messages.Add(await MimeMessage.LoadAsync(stream).ConfigureAwait(false));
        }

        return messages;
    }

    /// <summary>Waits until at least <paramref name="count"/> messages were received, then returns them all.</summary>
    public async Task<IReadOnlyList<MimeMessage>> WaitForMessagesAsync(int count, TimeSpan timeout)
    {
        var stopwatch = Stopwatch.StartNew();
        while (true)
        {
            var found = ListMessageFiles().Count;
            if (found >= count)
            {
                return await ReadMessagesAsync().ConfigureAwait(false);
            }

            if (stopwatch.Elapsed >= timeout)
            {
                throw new TimeoutException(
                    $"Expected at least {count} message(s) at the SMTP server {Host}:{_port} within {timeout}, but {found} arrived. Server stderr: {StderrText()}");
            }

            await Task.Delay(PollInterval).ConfigureAwait(false);
        }
    }

    /// <summary>Deletes every received message.</summary>
    public void Clear()
    {
        foreach (var file in ListMessageFiles())
        {
            File.Delete(file);
        }
    }

    public async Task DisposeAsync()
    {
        await _gate.WaitAsync().ConfigureAwait(false);
        try
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            await KillAsync().ConfigureAwait(false);
            try
            {
                if (Directory.Exists(_rootDirectory))
                {
                    Directory.Delete(_rootDirectory, recursive: true);
                }
            }
            catch (IOException)
            {
                // A temp directory left behind is not worth failing a test run for.
            }
            catch (UnauthorizedAccessException)
            {
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    ValueTask IAsyncDisposable.DisposeAsync() => new(DisposeAsync());

    private List<string> ListMessageFiles()
    {
        if (!Directory.Exists(MaildirPath))
        {
            return [];
        }

        var files = Directory.GetFiles(MaildirPath, "*.eml");
        Array.Sort(files, StringComparer.Ordinal);
        return [.. files];
    }

    private async Task LaunchAsync(int port)
    {
        var python = Environment.GetEnvironmentVariable("LOYALTY_TEST_PYTHON");
        if (string.IsNullOrWhiteSpace(python))
        {
            python = "/usr/bin/python3";
        }

        var startInfo = new ProcessStartInfo(python)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = false,
            UseShellExecute = false,
            CreateNoWindow = true,
        };

        // -I: ignore PYTHON* variables and user site-packages (the python on PATH may be a different one);
        // -u: unbuffered, so READY arrives at once.
        startInfo.ArgumentList.Add("-I");
        startInfo.ArgumentList.Add("-u");
        startInfo.ArgumentList.Add(FindScript());
        startInfo.ArgumentList.Add("--host");
        startInfo.ArgumentList.Add(Host);
        startInfo.ArgumentList.Add("--port");
        startInfo.ArgumentList.Add(port.ToString(System.Globalization.CultureInfo.InvariantCulture));
        startInfo.ArgumentList.Add("--maildir");
        startInfo.ArgumentList.Add(MaildirPath);
        if (_options.TempFailPercent > 0)
        {
            startInfo.ArgumentList.Add("--tempfail-percent");
            startInfo.ArgumentList.Add(_options.TempFailPercent.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        foreach (var substring in _options.RejectRecipientSubstrings)
        {
            startInfo.ArgumentList.Add("--reject-rcpt-substring");
            startInfo.ArgumentList.Add(substring);
        }

        var commandLine = python + " " + string.Join(' ', startInfo.ArgumentList);
        var stderr = new StringBuilder();
        var ready = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        var process = new Process { StartInfo = startInfo, EnableRaisingEvents = true };
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is { } line && line.StartsWith("READY ", StringComparison.Ordinal)
                && int.TryParse(line.AsSpan(6), System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var readyPort))
            {
                ready.TrySetResult(readyPort);
            }
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is { } line)
            {
                lock (stderr)
                {
                    stderr.AppendLine(line);
                }
            }
        };

        try
        {
            if (!process.Start())
            {
                throw new InvalidOperationException($"Could not start the test SMTP server: {commandLine}");
            }
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            process.Dispose();
            throw new InvalidOperationException(
                $"Could not start the test SMTP server '{commandLine}': {ex.Message}. Install Debian's python3-aiosmtpd or set LOYALTY_TEST_PYTHON; `bash scripts/test.sh` does both.",
                ex);
        }

        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        // Completes when the process exits, or (cancelled) when the timeout elapses.
        using var timeout = new CancellationTokenSource(ReadyTimeout);
        var exitedOrTimedOut = process.WaitForExitAsync(timeout.Token);
        var first = await Task.WhenAny(ready.Task, exitedOrTimedOut).ConfigureAwait(false);
        if (first == ready.Task)
        {
            _process = process;
            _stderr = stderr;
            return;
        }

        var what = process.HasExited ? $"exited with code {process.ExitCode}" : $"did not print READY within {ReadyTimeout.TotalSeconds:0} s";
        await KillProcessAsync(process).ConfigureAwait(false);
        string errorText;
        lock (stderr)
        {
            errorText = stderr.ToString();
        }

        process.Dispose();
        var portInUse = errorText.Contains("address already in use", StringComparison.OrdinalIgnoreCase);
        var hint = errorText.Contains("aiosmtpd", StringComparison.Ordinal)
            ? " Install Debian's python3-aiosmtpd and use /usr/bin/python3 (LOYALTY_TEST_PYTHON); `bash scripts/test.sh` does both."
            : string.Empty;
        throw new SmtpServerStartException(
            $"The test SMTP server {what}.{hint} Command: {commandLine}{Environment.NewLine}stderr:{Environment.NewLine}{errorText}",
            portInUse);
    }

    private async Task KillAsync()
    {
        var process = _process;
        _process = null;
        if (process is null)
        {
            return;
        }

        await KillProcessAsync(process).ConfigureAwait(false);
        process.Dispose();
    }

    private static async Task KillProcessAsync(Process process)
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: false);
            }

            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await process.WaitForExitAsync(cts.Token).ConfigureAwait(false);
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
    }

    private string StderrText()
    {
        var stderr = _stderr;
        lock (stderr)
        {
            return stderr.Length == 0 ? "(empty)" : stderr.ToString();
        }
    }

    private static int PickFreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        try
        {
            return ((IPEndPoint)listener.LocalEndpoint).Port;
        }
        finally
        {
            listener.Stop();
        }
    }

    private static string FindScript()
    {
        var copied = Path.Combine(AppContext.BaseDirectory, "Infrastructure", ScriptFileName);
        if (File.Exists(copied))
        {
            return copied;
        }

        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "tests", "Loyalty.IntegrationTests", "Infrastructure", ScriptFileName);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new FileNotFoundException(
            $"{ScriptFileName} was found neither next to the test assembly (Infrastructure/) nor under tests/Loyalty.IntegrationTests/Infrastructure/ above {AppContext.BaseDirectory}.");
    }

    private sealed class SmtpServerStartException(string message, bool portInUse) : Exception(message)
    {
        public bool PortInUse { get; } = portInUse;
    }
}

[CollectionDefinition("smtp")]
public sealed class SmtpCollection : ICollectionFixture<SmtpServerFixture>
{
}
