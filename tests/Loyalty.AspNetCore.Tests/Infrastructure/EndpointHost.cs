using System.Net;
using Microsoft.Extensions.Configuration;
using System.Net.Sockets;
using System.Text;
using Loyalty.AspNetCore;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Loyalty.AspNetCore.Tests.Infrastructure;

/// <summary>A real Kestrel on 127.0.0.1 (a port the OS picks) hosting <c>MapLoyalty()</c> over in-memory stores.</summary>
public sealed class EndpointHost : IAsyncDisposable
{
    private readonly WebApplication _app;

    private EndpointHost(WebApplication app, Uri address)
    {
        _app = app;
        Address = address;
        Client = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false }) { BaseAddress = address };
    }

    public Uri Address { get; }

    public HttpClient Client { get; }

    public IServiceProvider Services => _app.Services;

    public static async Task<EndpointHost> StartAsync(bool referrals = true, Action<LoyaltyEndpointOptions>? configure = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel().UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Loyalty:Shop:BaseUrl"] = "http://shop.test/",
            ["Loyalty:Email:FileTransport:Directory"] = Path.Combine(Path.GetTempPath(), "loyalty-aspnetcore-tests-mailbox"),
        });
        var loyalty = builder.Services.AddLoyalty(builder.Configuration.GetSection("Loyalty")).AddEmail().UseInMemoryStores();
        if (referrals)
        {
            loyalty.AddReferrals().AddInMemoryReferralStores();
        }

        var app = builder.Build();
        app.UseLoyaltyReferralQuery();
        app.MapLoyalty(configure);
        app.MapGet("/", () => "home");
        app.MapGet("/products/{sku}", (string sku) => "product " + sku);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        return new EndpointHost(app, new Uri(address + "/"));
    }

    /// <summary>Sends <c>GET {rawPath}</c> exactly as written (no client-side URL normalisation) and returns status and headers.</summary>
    public async Task<(int Status, IReadOnlyDictionary<string, string> Headers)> RawGetAsync(string rawPath)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(IPAddress.Loopback, Address.Port);
        await using var stream = tcp.GetStream();
        var request = Encoding.Latin1.GetBytes($"GET {rawPath} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
        await stream.WriteAsync(request);
        using var reader = new StreamReader(stream, Encoding.Latin1);
        var response = await reader.ReadToEndAsync();
        var head = response.Split("\r\n\r\n", 2)[0].Split("\r\n");
        var status = int.Parse(head[0].Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
        var headers = head.Skip(1).Select(h => h.Split(':', 2)).ToDictionary(h => h[0].Trim(), h => h[1].Trim(), StringComparer.OrdinalIgnoreCase);
        return (status, headers);
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

/// <summary>One host for a test class.</summary>
public sealed class EndpointHostFixture : IAsyncLifetime
{
    public EndpointHost Host { get; private set; } = null!;

    public async Task InitializeAsync() => Host = await EndpointHost.StartAsync();

    public async Task DisposeAsync() => await Host.DisposeAsync();
}
