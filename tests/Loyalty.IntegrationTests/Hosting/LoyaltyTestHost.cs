using Hangfire;
using Hangfire.InMemory;
using Hangfire.PostgreSql;
using Loyalty.Email;
using Loyalty.EntityFrameworkCore;
using Loyalty.IntegrationTests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace Loyalty.IntegrationTests.Hosting;

/// <summary>What a test host is made of.</summary>
public sealed record TestHostSettings
{
    public required FakeTimeProvider Clock { get; init; }

    public required SmtpServerFixture Smtp { get; init; }

    /// <summary>SQLite file path; ignored when <see cref="PostgresConnectionString"/> is set.</summary>
    public string? SqlitePath { get; init; }

    public string? PostgresConnectionString { get; init; }

    public string? TemplatesPath { get; init; }

    public Action<LoyaltyEmailBuilder>? Email { get; init; }

    public Action<IServiceCollection>? Services { get; init; }

    public IDictionary<string, string?> Configuration { get; init; } = new Dictionary<string, string?>();

    /// <summary>Runs a Hangfire server (in-memory storage) inside the host.</summary>
    public bool WithHangfireServer { get; init; }
}

/// <summary>A real generic host with Loyalty registered the way a shop would: EF Core store, SMTP transport, Hangfire.</summary>
public static class LoyaltyTestHost
{
    public static async Task<IHost> StartAsync(TestHostSettings settings)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { EnvironmentName = "Testing", DisableDefaults = true });
        var config = new Dictionary<string, string?>
        {
            ["Loyalty:Shop:Name"] = "Tea & Kettle",
            ["Loyalty:Shop:BaseUrl"] = "https://shop.example/",
            ["Loyalty:Shop:PostalAddress"] = "1 Tea Street, Taipei",
            ["Loyalty:Email:From"] = "Tea & Kettle <care@shop.example>",
            ["Loyalty:Email:Smtp:Host"] = settings.Smtp.Host,
            ["Loyalty:Email:Smtp:Port"] = settings.Smtp.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Loyalty:Email:Smtp:Security"] = "None",
            ["Loyalty:Email:TemplatesPath"] = settings.TemplatesPath,
            ["Loyalty:Links:Keys:1"] = Convert.ToBase64String(new byte[32]),
        };
        foreach (var (key, value) in settings.Configuration)
        {
            config[key] = value;
        }

        builder.Configuration.AddInMemoryCollection(config);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Services.AddSingleton<TimeProvider>(settings.Clock);
        if (settings.PostgresConnectionString is { } pg)
        {
            builder.Services.AddDbContext<LoyaltyDbContext>(o => o.UseNpgsql(pg));
        }
        else
        {
            builder.Services.AddDbContext<LoyaltyDbContext>(o => o.UseSqlite($"Data Source={settings.SqlitePath}"));
        }

        builder.Services.AddLoyalty(builder.Configuration.GetSection("Loyalty"))
            .AddEmail(email => settings.Email?.Invoke(email))
            .UseEntityFrameworkCore<LoyaltyDbContext>();
        if (settings.PostgresConnectionString is { } hangfirePg)
        {
            builder.Services.AddHangfire(h => h.UsePostgreSqlStorage(o => o.UseNpgsqlConnection(hangfirePg)));
        }
        else
        {
            builder.Services.AddHangfire(h => h.UseInMemoryStorage(new InMemoryStorageOptions()));
        }
        if (settings.WithHangfireServer)
        {
            builder.Services.AddHangfireServer(o => o.SchedulePollingInterval = TimeSpan.FromSeconds(1));
        }

        settings.Services?.Invoke(builder.Services);
        var host = builder.Build();
        await using (var scope = host.Services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<LoyaltyDbContext>().Database.EnsureCreatedAsync();
        }

        await host.StartAsync();
        return host;
    }
}
