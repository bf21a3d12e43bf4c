using Loyalty.Email.Diagnostics;
using Loyalty.Referrals.Diagnostics;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Loyalty.Storefront.Telemetry;

/// <summary>The storefront's telemetry settings, bound from <c>Storefront:Telemetry</c>.</summary>
public sealed class StorefrontTelemetryOptions
{
    /// <summary>Serve the metrics in Prometheus' text format at <see cref="MetricsPath"/> (default true).</summary>
    public bool Prometheus { get; set; } = true;

    /// <summary>Where the Prometheus page is served (default <c>/metrics</c>).</summary>
    public string MetricsPath { get; set; } = "/metrics";

    /// <summary>
    /// An OTLP collector (e.g. <c>http://localhost:4317</c>). When unset, the standard <c>OTEL_EXPORTER_OTLP_ENDPOINT</c>
    /// environment variable is used; when neither is set nothing is exported over OTLP.
    /// </summary>
    public Uri? OtlpEndpoint { get; set; }

    /// <summary>Write traces and metrics to the console as well (default false: noisy, for a first look only).</summary>
    public bool Console { get; set; }
}

/// <summary>
/// OpenTelemetry for the storefront: Loyalty's Meters and ActivitySources (<c>Loyalty.Email</c>,
/// <c>Loyalty.Referrals</c>), ASP.NET Core, EF Core and the .NET runtime; a Prometheus page by default, OTLP when
/// configured, the console on request. A host of the packages does the same in its own Program.
/// </summary>
public static class StorefrontTelemetry
{
    /// <summary>Adds the providers and exporters to <paramref name="builder"/>.</summary>
    public static StorefrontTelemetryOptions AddStorefrontTelemetry(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var options = builder.Configuration.GetSection("Storefront:Telemetry").Get<StorefrontTelemetryOptions>() ?? new StorefrontTelemetryOptions();
        // The OTLP exporter reads OTEL_EXPORTER_OTLP_* itself; it is only added when a collector is named somewhere.
        var otlp = options.OtlpEndpoint is not null || !string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]);

        builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService("loyalty-storefront"))
            .WithMetrics(metrics =>
            {
                metrics.AddMeter(EmailTelemetry.Name, ReferralTelemetry.Name)
                    .AddAspNetCoreInstrumentation()
                    .AddRuntimeInstrumentation();
                if (options.Prometheus)
                {
                    metrics.AddPrometheusExporter();
                }

                if (otlp)
                {
                    metrics.AddOtlpExporter(o => UseConfiguredEndpoint(o, options));
                }

                if (options.Console)
                {
                    metrics.AddConsoleExporter();
                }
            })
            .WithTracing(tracing =>
            {
                tracing.AddSource(EmailTelemetry.Name, ReferralTelemetry.Name)
                    .AddAspNetCoreInstrumentation(o => o.Filter = context => !IsMetricsScrape(context, options))
                    .AddEntityFrameworkCoreInstrumentation();
                if (otlp)
                {
                    tracing.AddOtlpExporter(o => UseConfiguredEndpoint(o, options));
                }

                if (options.Console)
                {
                    tracing.AddConsoleExporter();
                }
            });
        return options;
    }

    /// <summary>Maps the Prometheus page when it is on.</summary>
    public static void MapStorefrontTelemetry(this WebApplication app, StorefrontTelemetryOptions options)
    {
        ArgumentNullException.ThrowIfNull(app);
        ArgumentNullException.ThrowIfNull(options);
        if (options.Prometheus)
        {
            app.MapPrometheusScrapingEndpoint(options.MetricsPath);
        }
    }

    private static void UseConfiguredEndpoint(OpenTelemetry.Exporter.OtlpExporterOptions exporter, StorefrontTelemetryOptions options)
    {
        if (options.OtlpEndpoint is { } endpoint)
        {
            exporter.Endpoint = endpoint;
        }
    }

    private static bool IsMetricsScrape(HttpContext context, StorefrontTelemetryOptions options)
        => options.Prometheus && context.Request.Path.StartsWithSegments(options.MetricsPath, StringComparison.OrdinalIgnoreCase);
}
