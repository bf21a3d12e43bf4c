using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace Loyalty.IntegrationTests.ScaleOut;

/// <summary>
/// One tests/Loyalty.Worker process (<c>dotnet Loyalty.Worker.dll</c>): a separate OS process with its own
/// dispatcher, connection pools and lease owner. <see cref="Kill"/> is SIGKILL: no shutdown code runs.
/// </summary>
public sealed class WorkerProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private WorkerProcess(string name, Process process)
    {
        Name = name;
        _process = process;
    }

    public string Name { get; }

    public int Pid => _process.Id;

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    public bool WasKilled { get; private set; }

    /// <summary>What the worker wrote to stdout and stderr.</summary>
    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>Starts a worker with the given settings (keys as in tests/Loyalty.Worker/Program.cs).</summary>
    public static WorkerProcess Start(string name, IReadOnlyDictionary<string, string> settings)
    {
        var startInfo = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            CreateNoWindow = true,
        };
        startInfo.ArgumentList.Add(WorkerDll());
        startInfo.ArgumentList.Add("--Worker:Name=" + name);
        foreach (var (key, value) in settings)
        {
            startInfo.ArgumentList.Add($"--{key}={value}");
        }

        startInfo.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        startInfo.Environment["DOTNET_NOLOGO"] = "1";
        var process = new Process { StartInfo = startInfo };
        var worker = new WorkerProcess(name, process);
        process.OutputDataReceived += (_, e) => worker.Append(e.Data);
        process.ErrorDataReceived += (_, e) => worker.Append(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return worker;
    }

    /// <summary>SIGKILL to the worker's own pid.</summary>
    public void Kill()
    {
        WasKilled = true;
        _process.Kill(entireProcessTree: false);
    }

    /// <summary>Waits for the process to exit; false on timeout.</summary>
    public async Task<bool> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cts.Token);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await WaitForExitAsync(TimeSpan.FromSeconds(10));
        }

        _process.Dispose();
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            // Bounded: a worker in trouble can log a lot.
            if (_output.Length < 200_000)
            {
                _output.AppendLine(line);
            }
        }
    }

    /// <summary>The worker's directory (its Templates/ folder holds the receipt template).</summary>
    public static string WorkerDirectory => Path.GetDirectoryName(WorkerDll())!;

    /// <summary>LOYALTY_WORKER_DLL, or tests/Loyalty.Worker/bin/(this configuration)/net10.0/Loyalty.Worker.dll.</summary>
    private static string WorkerDll()
    {
        if (Environment.GetEnvironmentVariable("LOYALTY_WORKER_DLL") is { Length: > 0 } configured)
        {
            return configured;
        }

        var baseDir = AppContext.BaseDirectory;
        var configuration = baseDir.Contains($"{Path.DirectorySeparatorChar}Debug{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Debug" : "Release";
        for (var dir = new DirectoryInfo(baseDir); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "tests", "Loyalty.Worker", "bin", configuration, "net10.0", "Loyalty.Worker.dll");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new FileNotFoundException(string.Create(CultureInfo.InvariantCulture,
            $"Loyalty.Worker.dll ({configuration}) was not found above {baseDir}: build Loyalty.sln (scripts/test.sh does) or set LOYALTY_WORKER_DLL."));
    }
}
