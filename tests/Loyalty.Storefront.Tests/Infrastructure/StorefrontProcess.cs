using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Loyalty.Storefront.Tests.Infrastructure;

/// <summary>
/// The storefront as a child process (<c>dotnet Loyalty.Storefront.dll</c>): Hangfire's job storage is process-wide,
/// so a storefront on other storage than the in-process one (PostgreSQL) runs in its own process. Demo clock on, data
/// in a temp folder, extra configuration from the arguments.
/// </summary>
public sealed class StorefrontProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly string _dataDirectory;

    private StorefrontProcess(Process process, Uri baseAddress, string dataDirectory)
    {
        _process = process;
        BaseAddress = baseAddress;
        _dataDirectory = dataDirectory;
        Client = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false }) { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(60) };
    }

    public Uri BaseAddress { get; }

    public HttpClient Client { get; }

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

    public static async Task<StorefrontProcess> StartAsync(IEnumerable<string> configuration)
    {
        var port = FreePort();
        var baseAddress = new Uri($"http://127.0.0.1:{port}/");
        var dataDirectory = Directory.CreateTempSubdirectory("loyalty-storefront-proc-").FullName;
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = AppContext.BaseDirectory,
        };
        foreach (var argument in new[]
        {
            Path.Combine(AppContext.BaseDirectory, "Loyalty.Storefront.dll"),
            "--contentRoot", AppContext.BaseDirectory,
            "--urls", baseAddress.GetLeftPart(UriPartial.Authority),
            "--environment", "Testing",
            "--Storefront:DemoClock=true",
            "--Storefront:DemoClockStart=" + StorefrontFixture.ClockStart.ToString("O", CultureInfo.InvariantCulture),
            "--Storefront:DataDirectory=" + dataDirectory,
            "--Loyalty:Shop:BaseUrl=" + baseAddress,
            "--Logging:LogLevel:Default=Warning",
        }.Concat(configuration))
        {
            start.ArgumentList.Add(argument);
        }

        var process = new Process { StartInfo = start };
        var app = new StorefrontProcess(process, baseAddress, dataDirectory);
        process.OutputDataReceived += (_, e) => app.Append(e.Data);
        process.ErrorDataReceived += (_, e) => app.Append(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await app.WaitUntilServingAsync(TimeSpan.FromSeconds(90));
            return app;
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }
    }

    public async Task AdvanceDaysAsync(int days)
        => (await Client.PostAsync("api/dev/clock/advance", new StringContent($"{{\"hours\":{days * 24}}}", Encoding.UTF8, "application/json"))).EnsureSuccessStatusCode();

    public async Task DispatchAsync() => (await Client.PostAsync("api/dev/dispatch", null)).EnsureSuccessStatusCode();

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
        try
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }
        catch (IOException)
        {
            // Left for the OS to clean.
        }
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }
    }

    /// <summary>Polls the demo clock endpoint until the app answers (an external process starting), with a timeout.</summary>
    private async Task WaitUntilServingAsync(TimeSpan timeout)
    {
        var until = DateTime.UtcNow + timeout;
        while (true)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"The storefront exited with code {_process.ExitCode}:\n{Output}");
            }

            try
            {
                using var response = await Client.GetAsync("api/dev/clock");
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            if (DateTime.UtcNow > until)
            {
                throw new TimeoutException($"The storefront did not serve within {timeout}:\n{Output}");
            }

            await Task.Delay(250);
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
