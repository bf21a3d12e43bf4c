using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using Loyalty.Storefront;
using Microsoft.AspNetCore.Builder;
using Microsoft.Data.Sqlite;

namespace Loyalty.Storefront.Tests.Infrastructure;

/// <summary>
/// The real storefront, in-process on Kestrel at 127.0.0.1 on a free port, with the demo clock on (starting at
/// 10:00 in Taipei, outside quiet hours), its data (SQLite, mailbox, link key) in a temp folder.
/// </summary>
public sealed class StorefrontFixture : IAsyncLifetime
{
    /// <summary>10:00 in Asia/Taipei: the tests' customers live there and marketing is not held for quiet hours.</summary>
    public static readonly DateTimeOffset ClockStart = new(2026, 3, 2, 2, 0, 0, TimeSpan.Zero);

    private readonly string _dataDirectory = Directory.CreateTempSubdirectory("loyalty-storefront-").FullName;
    private WebApplication? _app;

    public Uri BaseAddress { get; private set; } = null!;

    public HttpClient Client { get; private set; } = null!;

    public string DataDirectory => _dataDirectory;

    /// <summary>The app's services, for tests that look beneath the HTTP surface.</summary>
    public IServiceProvider Services => _app!.Services;

    public async Task InitializeAsync()
    {
        var port = FreePort();
        BaseAddress = new Uri($"http://127.0.0.1:{port}/");
        _app = StorefrontApp.Build(
        [
            "--contentRoot", AppContext.BaseDirectory,
            "--urls", BaseAddress.GetLeftPart(UriPartial.Authority),
            "--environment", "Testing",
            "--Storefront:DemoClock=true",
            "--Storefront:DemoClockStart=" + ClockStart.ToString("O", CultureInfo.InvariantCulture),
            "--Storefront:DataDirectory=" + _dataDirectory,
            "--Loyalty:Shop:BaseUrl=" + BaseAddress,
            "--Logging:LogLevel:Default=Warning",
        ]);
        await _app.StartAsync();
        Client = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false }) { BaseAddress = BaseAddress };
    }

    public async Task DisposeAsync()
    {
        Client?.Dispose();
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }

        SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }
        catch (IOException)
        {
            // A file still open at exit: the temp folder is cleaned by the OS.
        }
    }

    /// <summary>Creates a customer in Asia/Taipei with marketing consent; returns its id and e-mail.</summary>
    public async Task<(string Id, string Email)> CreateCustomerAsync(string prefix, string locale = "en")
    {
        var id = $"{prefix}-{Guid.NewGuid():N}"[..(prefix.Length + 9)];
        var email = $"{id}@example.com";
        var response = await Client.PostAsJsonAsync("api/customers", new { id, email, name = "Test Customer", locale, timeZone = "Asia/Taipei", marketingConsent = true });
        response.StatusCode.Should().Be(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        return (id, email);
    }

    public async Task AdvanceDaysAsync(int days)
    {
        var response = await Client.PostAsJsonAsync("api/dev/clock/advance", new { hours = days * 24 });
        response.EnsureSuccessStatusCode();
    }

    public async Task DispatchAsync() => (await Client.PostAsync("api/dev/dispatch", null)).EnsureSuccessStatusCode();

    /// <summary>Polls the mailbox API until a message to <paramref name="to"/> matches, or fails after the timeout.</summary>
    public async Task<JsonElement> WaitForMailAsync(string to, Func<JsonElement, bool> match, TimeSpan? timeout = null)
    {
        var until = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(20));
        while (true)
        {
            var mails = await Client.GetFromJsonAsync<JsonElement[]>($"api/mailbox?to={Uri.EscapeDataString(to)}") ?? [];
            if (mails.FirstOrDefault(match) is { ValueKind: JsonValueKind.Object } found)
            {
                return found;
            }

            if (DateTime.UtcNow > until)
            {
                var sends = await Client.GetStringAsync($"api/sends");
                throw new TimeoutException($"No matching e-mail to {to}. Mailbox: {JsonSerializer.Serialize(mails.Select(m => m.GetProperty("subject").GetString()))}. Sends: {sends}");
            }

            // Polling an external effect (a Hangfire worker writing a file), with a timeout.
            await Task.Delay(200);
            await DispatchAsync();
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

[CollectionDefinition(Name)]
public sealed class StorefrontCollection : ICollectionFixture<StorefrontFixture>
{
    public const string Name = "storefront";
}
