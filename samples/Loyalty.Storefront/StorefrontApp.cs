using System.Security.Cryptography;
using System.Text.Json.Serialization;
using Hangfire;
using Hangfire.PostgreSql;
using Loyalty.Email.Composition;
using Loyalty.Email.Flows;
using Loyalty.Events;
using Loyalty.Storefront.Api;
using Loyalty.Storefront.Data;
using Loyalty.Storefront.Demo;
using Loyalty.Storefront.Shop;
using Loyalty.Storefront.Telemetry;
using Loyalty.Storefront.Web;
using Microsoft.EntityFrameworkCore;

namespace Loyalty.Storefront;

/// <summary>The storefront's settings, bound from <c>Storefront</c>.</summary>
public sealed class StorefrontOptions
{
    /// <summary>True enables the demo clock (and the <c>/api/dev</c> endpoints). Off by default.</summary>
    public bool DemoClock { get; set; }

    /// <summary>Where the demo clock starts (default: now).</summary>
    public DateTimeOffset? DemoClockStart { get; set; }

    /// <summary>Where the SQLite file, the mailbox and the link key go. Default: <c>App_Data</c> under the content root.</summary>
    public string? DataDirectory { get; set; }
}

/// <summary>Builds the storefront: used by <c>Program</c> and, in-process, by the tests.</summary>
public static class StorefrontApp
{
    /// <summary>Builds the app from command-line arguments (and appsettings, environment variables).</summary>
    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(args);
        configure?.Invoke(builder);
        var config = builder.Configuration;
        var options = config.GetSection("Storefront").Get<StorefrontOptions>() ?? new StorefrontOptions();
        var dataDirectory = Path.GetFullPath(string.IsNullOrWhiteSpace(options.DataDirectory)
            ? Path.Combine(builder.Environment.ContentRootPath, "App_Data")
            : options.DataDirectory);
        options.DataDirectory = dataDirectory;
        Directory.CreateDirectory(dataDirectory);
        ApplyEmbeddedDefaults(config, dataDirectory);

        var services = builder.Services;
        services.AddSingleton(options);
        // First hosted service: the database exists and is seeded before Loyalty's and Hangfire's services start.
        services.AddHostedService<StorefrontInitializer>();
        if (options.DemoClock)
        {
            var clock = new DemoClock(TimeProvider.System, options.DemoClockStart);
            services.AddSingleton(clock);
            services.AddSingleton<TimeProvider>(clock);
        }
        else
        {
            services.AddSingleton(TimeProvider.System);
        }

        var storage = Storage.From(config, dataDirectory);
        services.AddDbContext<StorefrontDbContext>(o =>
        {
            if (storage.IsPostgres)
            {
                o.UseNpgsql(storage.ConnectionString);
            }
            else
            {
                o.UseSqlite(storage.ConnectionString);
            }
        });

        services.AddLoyalty(config.GetSection("Loyalty"))
            // The storefront's own flows (starter-kit check-in, milestone congratulation, service-recovery apology and
            // credit) are written in appsettings.json under Loyalty:Email:Flows, as an integrator would write them, so
            // the `loyalty flows list|check|dry-run` tool sees them too.
            .AddEmail()
            // The referral and review programme: review prompts with one-click stars (replacing the storefront's own
            // placeholder flow), the share e-mail after a good review, referral codes, attribution and rewards. Its
            // stores live in the storefront's own database, next to the shop's tables (UseEntityFrameworkCore below).
            .AddReferrals()
            .UseEntityFrameworkCore<StorefrontDbContext>();
        services.AddScoped<ICreditIssuer, StorefrontCreditIssuer>();
        services.AddSingleton<ITemplateModelContributor, OrderModelContributor>();
        services.AddScoped<ShopService>();

        services.AddHangfire(h =>
        {
            h.SetDataCompatibilityLevel(CompatibilityLevel.Version_180).UseSimpleAssemblyNameTypeSerializer().UseRecommendedSerializerSettings();
            if (storage.IsPostgres)
            {
                h.UsePostgreSqlStorage(pg => pg.UseNpgsqlConnection(storage.ConnectionString));
            }
            else
            {
                h.UseInMemoryStorage();
            }
        });
        services.AddHangfireServer(o =>
        {
            o.WorkerCount = Math.Max(2, Math.Min(Environment.ProcessorCount, 4));
            o.SchedulePollingInterval = TimeSpan.FromSeconds(5);
        });

        var telemetry = builder.AddStorefrontTelemetry();
        services.AddProblemDetails();
        services.ConfigureHttpJsonOptions(o => o.SerializerOptions.Converters.Add(new JsonStringEnumConverter()));

        var app = builder.Build();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseMiddleware<UiLocaleMiddleware>();
        app.UseLoyaltyReferralQuery();
        app.UseHangfireDashboard("/admin/hangfire", new DashboardOptions { DashboardTitle = "Loyalty storefront jobs", AppPath = "/admin" });
        app.MapLoyalty();
        app.MapStorefrontTelemetry(telemetry);
        ApiEndpoints.Map(app, options);
        ShopPages.Map(app);
        AdminPages.Map(app, options);
        return app;
    }

    private static void ApplyEmbeddedDefaults(ConfigurationManager config, string dataDirectory)
    {
        var defaults = new Dictionary<string, string?>();
        if (!config.GetSection("Loyalty:Links:Keys").GetChildren().Any())
        {
            // Links in e-mails keep working across restarts: the key is made once and kept with the data.
            var keyFile = Path.Combine(dataDirectory, "link-key.txt");
            if (!File.Exists(keyFile))
            {
                File.WriteAllText(keyFile, Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)));
            }

            defaults[$"Loyalty:Links:Keys:{config["Loyalty:Links:CurrentKeyId"] ?? "1"}"] = File.ReadAllText(keyFile).Trim();
        }

        if (string.IsNullOrWhiteSpace(config["Loyalty:Email:FileTransport:Directory"]))
        {
            defaults["Loyalty:Email:FileTransport:Directory"] = Path.Combine(dataDirectory, "mailbox");
        }

        if (string.IsNullOrWhiteSpace(config["Loyalty:Email:TemplatesPath"]))
        {
            defaults["Loyalty:Email:TemplatesPath"] = Path.Combine(AppContext.BaseDirectory, "Templates");
        }

        if (defaults.Count > 0)
        {
            config.AddInMemoryCollection(defaults);
        }
    }

    private sealed record Storage(bool IsPostgres, string ConnectionString)
    {
        public static Storage From(IConfiguration config, string dataDirectory)
        {
            var provider = config["Loyalty:Storage:Provider"];
            var connectionString = config.GetConnectionString("Loyalty");
            if (string.IsNullOrWhiteSpace(provider) || provider.Equals("Sqlite", StringComparison.OrdinalIgnoreCase))
            {
                return new Storage(false, string.IsNullOrWhiteSpace(connectionString)
                    ? $"Data Source={Path.Combine(dataDirectory, "storefront.db")}"
                    : connectionString);
            }

            if (provider.Equals("PostgreSql", StringComparison.OrdinalIgnoreCase))
            {
                return string.IsNullOrWhiteSpace(connectionString)
                    ? throw new InvalidOperationException("Loyalty:Storage:Provider is PostgreSql: set ConnectionStrings:Loyalty to an Npgsql connection string.")
                    : new Storage(true, connectionString);
            }

            throw new InvalidOperationException($"Loyalty:Storage:Provider '{provider}' is not supported: use Sqlite or PostgreSql.");
        }
    }
}
