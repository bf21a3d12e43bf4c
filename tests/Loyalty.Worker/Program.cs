using System.Globalization;
using Loyalty.Email.Scheduling;
using Loyalty.EntityFrameworkCore;
using Loyalty.Events;
using Loyalty.Stores;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Loyalty.Worker;

/// <summary>
/// A Loyalty worker process for the scale-out and fault tests: the EF Core store on PostgreSQL, the pooled SMTP
/// transport, and a loop that calls <see cref="StepDispatcher.DispatchDueAsync"/> (the same claim, lease and
/// guarded write the Hangfire sweep runs) until no active step is left for <c>Worker:IdlePolls</c> polls in a row.
/// </summary>
/// <remarks>
/// <para>Why a loop and not a Hangfire server: the sweep job carries <c>[DisableConcurrentExecution]</c> (one
/// sweep at a time across the whole cluster, on a one-minute cron), so three Hangfire servers would take turns
/// rather than claim concurrently. The loop makes every process claim at once, which is what the
/// <c>FOR UPDATE SKIP LOCKED</c> claim, the lease and the guarded transitions have to withstand.</para>
/// <para>Settings (command line <c>--Key=value</c> or environment <c>Key__Sub=value</c>):
/// <c>Worker:Postgres</c> (required), <c>Worker:Name</c>, <c>Worker:IdlePolls</c> (default 5),
/// <c>Worker:PollInterval</c> (default 00:00:00.200), <c>Worker:RetryOnFailure</c> (EF Core's retrying execution
/// strategy; default false), <c>Worker:StopFile</c> (when set, the worker does not stop
/// before this file exists), <c>Worker:MaxRuntime</c> (default 00:30:00), and every <c>Loyalty:*</c> key, e.g.
/// <c>Loyalty:Email:Smtp:Host</c>, <c>Loyalty:Email:Smtp:Port</c>, <c>Loyalty:Email:Lease</c>.</para>
/// <para>Exit codes: 0 done, 2 bad settings, 3 gave up after <c>Worker:MaxRuntime</c>.</para>
/// </remarks>
public static class Program
{
    /// <summary>The flow the tests schedule rows of: a transactional receipt sent at once after an order.</summary>
    public const string FlowId = "reliability-receipt";

    /// <summary>The template of <see cref="FlowId"/> (in Templates/ next to the executable).</summary>
    public const string TemplateName = "reliability-receipt";

    /// <summary>Runs the worker.</summary>
    public static async Task<int> Main(string[] args)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = args, DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Loyalty:Shop:Name"] = "Tea & Kettle",
            ["Loyalty:Shop:BaseUrl"] = "https://shop.example/",
            ["Loyalty:Shop:PostalAddress"] = "1 Tea Street, Taipei",
            ["Loyalty:Email:From"] = "Tea & Kettle <care@shop.example>",
            ["Loyalty:Email:Smtp:Security"] = "None",
            ["Loyalty:Email:TemplatesPath"] = Path.Combine(AppContext.BaseDirectory, "Templates"),
            ["Loyalty:Links:Keys:1"] = Convert.ToBase64String(new byte[32]),
        });
        builder.Configuration.AddEnvironmentVariables();
        builder.Configuration.AddCommandLine(args);
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(o => o.SingleLine = true);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);

        var settings = WorkerSettings.From(builder.Configuration);
        if (settings is null)
        {
            await Console.Error.WriteLineAsync("Worker:Postgres is required (an Npgsql connection string).").ConfigureAwait(false);
            return 2;
        }

        builder.Services.AddDbContext<LoyaltyDbContext>(o => o.UseNpgsql(settings.ConnectionString, npgsql =>
        {
            if (settings.RetryOnFailure)
            {
                // EF Core's retrying execution strategy: a command that failed on a broken connection (including
                // 57P01, a session terminated by an administrator) is run again on a new one.
                npgsql.EnableRetryOnFailure(5, TimeSpan.FromSeconds(1), ["57P01"]);
            }
        }));
        builder.Services.AddLoyalty(builder.Configuration.GetSection("Loyalty"))
            .AddEmail(email => email.AddFlow(FlowId, flow => flow.On(EventTypes.OrderPlaced).Transactional().Send(TemplateName)))
            .UseEntityFrameworkCore<LoyaltyDbContext>();

        using var host = builder.Build();
        await host.StartAsync().ConfigureAwait(false);
        var code = await RunAsync(host.Services, settings).ConfigureAwait(false);
        await host.StopAsync().ConfigureAwait(false);
        return code;
    }

    private static async Task<int> RunAsync(IServiceProvider services, WorkerSettings settings)
    {
        var dispatcher = services.GetRequiredService<StepDispatcher>();
        var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger("Loyalty.Worker");
        using var lifetime = new CancellationTokenSource(settings.MaxRuntime);
        var worked = 0;
        var errors = 0;
        var idle = 0;
        Console.Out.WriteLine($"WORKER {settings.Name} STARTED pid={Environment.ProcessId}");
        try
        {
            while (idle < settings.IdlePolls)
            {
                int count;
                try
                {
                    count = await dispatcher.DispatchDueAsync(lifetime.Token).ConfigureAwait(false);
                }
                catch (Exception ex) when (!lifetime.IsCancellationRequested && ex is not OutOfMemoryException)
                {
                    // What a Hangfire sweep that failed would do: log, and let the next sweep carry on. The rows of the
                    // failed batch stay leased until their lease ends, then any worker claims them again.
                    errors++;
                    Log.DispatchFailed(logger, ex.GetType().Name, ex.Message);
                    idle = 0;
                    await Task.Delay(settings.PollInterval, lifetime.Token).ConfigureAwait(false);
                    continue;
                }

                worked += count;
                if (count > 0)
                {
                    idle = 0;
                    continue;
                }

                idle = await NothingLeftAsync(services, settings, lifetime.Token).ConfigureAwait(false) ? idle + 1 : 0;
                await Task.Delay(settings.PollInterval, lifetime.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (lifetime.IsCancellationRequested)
        {
            Console.Out.WriteLine($"WORKER {settings.Name} GAVE UP after {settings.MaxRuntime} worked={worked} errors={errors}");
            return 3;
        }

        Console.Out.WriteLine($"WORKER {settings.Name} DONE worked={worked} errors={errors}");
        return 0;
    }

    // True when the stop file (if any) exists and no step is Scheduled or Held: nothing will ever fall due again.
    private static async Task<bool> NothingLeftAsync(IServiceProvider services, WorkerSettings settings, CancellationToken cancellationToken)
    {
        if (settings.StopFile is { } stopFile && !File.Exists(stopFile))
        {
            return false;
        }

        try
        {
            await using var scope = services.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<LoyaltyDbContext>();
            return !await db.ScheduledSteps.AnyAsync(s => s.State == StepState.Scheduled || s.State == StepState.Held, cancellationToken).ConfigureAwait(false);
        }
        catch (NpgsqlException)
        {
            return false;
        }
    }

    private sealed record WorkerSettings(string ConnectionString, string Name, int IdlePolls, TimeSpan PollInterval, string? StopFile, TimeSpan MaxRuntime, bool RetryOnFailure)
    {
        public static WorkerSettings? From(IConfiguration configuration)
        {
            var section = configuration.GetSection("Worker");
            var postgres = section["Postgres"];
            if (string.IsNullOrWhiteSpace(postgres))
            {
                return null;
            }

            var name = section["Name"] is { Length: > 0 } n ? n : $"worker-{Environment.ProcessId}";
            // The application name lets a test find (and terminate) this worker's database sessions.
            var connectionString = new NpgsqlConnectionStringBuilder(postgres) { ApplicationName = "loyalty-worker:" + name }.ConnectionString;
            return new WorkerSettings(
                connectionString,
                name,
                int.Parse(section["IdlePolls"] ?? "5", CultureInfo.InvariantCulture),
                TimeSpan.Parse(section["PollInterval"] ?? "00:00:00.200", CultureInfo.InvariantCulture),
                section["StopFile"] is { Length: > 0 } stop ? stop : null,
                TimeSpan.Parse(section["MaxRuntime"] ?? "00:30:00", CultureInfo.InvariantCulture),
                bool.Parse(section["RetryOnFailure"] ?? "false"));
        }
    }
}

internal static partial class Log
{
    [LoggerMessage(1, LogLevel.Error, "A dispatch pass failed ({Type}): {Message}; the next pass carries on.")]
    public static partial void DispatchFailed(ILogger logger, string type, string message);
}
