using Hangfire;
using Hangfire.InMemory;
using Hangfire.PostgreSql;
using Loyalty.Benchmarks.Shared;
using Loyalty.Email;
using Loyalty.Email.Delivery;
using Loyalty.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Loyalty.Throughput;

/// <summary>Which Hangfire a host gets.</summary>
public enum HangfireMode
{
    None,
    InMemory,
    PostgreSql,
}

/// <summary>How one host of the harness is made: the registration pattern of a shop (as in LoyaltyTestHost).</summary>
public sealed record HostSpec
{
    public required BenchDatabase Database { get; init; }

    public Action<LoyaltyEmailBuilder>? Email { get; init; }

    public HangfireMode Hangfire { get; init; }

    public bool HangfireServer { get; init; }

    public int? HangfireWorkers { get; init; }

    public Action<IServiceCollection>? Services { get; init; }
}

/// <summary>Builds hosts the way a shop registers Loyalty.</summary>
public static class BenchHost
{
    public static async Task<IHost> BuildAsync(HarnessOptions options, HostSpec spec, DeliveryProbe probe)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { EnvironmentName = "Production", DisableDefaults = true });
        var config = BenchEmail.Configuration(options.SmtpHost, options.SmtpPort);
        config["Loyalty:Email:Smtp:PoolSize"] = options.Concurrency.ToString(System.Globalization.CultureInfo.InvariantCulture);
        config["Loyalty:Email:Concurrency"] = options.Lanes.ToString(System.Globalization.CultureInfo.InvariantCulture);
        config["Loyalty:Email:SweepCron"] = "0 0 1 1 *"; // the harness triggers the sweep itself
        builder.Configuration.AddInMemoryCollection(config);
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton(probe);
        builder.Services.AddSingleton<IEmailTransport>(sp => new ObservedTransport(sp.GetRequiredService<SmtpEmailTransport>(), probe));
        var db = spec.Database;
        if (db.Provider == Provider.PostgreSql)
        {
            builder.Services.AddDbContext<LoyaltyDbContext>(o => o.UseNpgsql(db.ConnectionString));
        }
        else
        {
            builder.Services.AddDbContext<LoyaltyDbContext>(o => o.UseSqlite(db.ConnectionString));
        }

        builder.Services.AddLoyalty(builder.Configuration.GetSection("Loyalty"))
            .AddEmail(email => spec.Email?.Invoke(email))
            .UseEntityFrameworkCore<LoyaltyDbContext>();
        BenchEmail.DeclareShareLinks(builder.Services);
        switch (spec.Hangfire)
        {
            case HangfireMode.InMemory:
                builder.Services.AddHangfire(h => h.UseInMemoryStorage(new InMemoryStorageOptions()));
                break;
            case HangfireMode.PostgreSql:
                builder.Services.AddHangfire(h => h.UsePostgreSqlStorage(o => o.UseNpgsqlConnection(db.ConnectionString)));
                break;
        }

        if (spec.HangfireServer)
        {
            builder.Services.AddHangfireServer(o =>
            {
                o.SchedulePollingInterval = TimeSpan.FromSeconds(1);
                if (spec.HangfireWorkers is { } workers)
                {
                    o.WorkerCount = workers;
                }
            });
        }

        spec.Services?.Invoke(builder.Services);
        var host = builder.Build();
        await using var scope = host.Services.CreateAsyncScope();
        var context = scope.ServiceProvider.GetRequiredService<LoyaltyDbContext>();
        await context.Database.EnsureCreatedAsync();
        if (db.Provider == Provider.Sqlite)
        {
            // As a shop runs SQLite (the storefront sample does the same): WAL, so readers do not block the writer
            // and a commit appends to the log instead of rewriting pages. Intake and its raw-INSERT baseline share it.
            await context.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;");
        }
        return host;
    }
}
