using System.Security.Cryptography;
using Loyalty.DependencyInjection;
using Loyalty.Email;
using Loyalty.Email.Composition;
using Loyalty.Email.Consent;
using Loyalty.Email.Diagnostics;
using Loyalty.Email.Flows;
using Loyalty.Email.Intake;
using Loyalty.Email.Links;
using Loyalty.Email.Milestones;
using Loyalty.Email.Scheduling;
using Loyalty.Email.Templates;
using Loyalty.Email.Templates.Liquid;
using Loyalty.Publishing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers Loyalty.Email.</summary>
public static class LoyaltyEmailServiceCollectionExtensions
{
    /// <summary>
    /// Adds behavioural e-mail: intake (<see cref="ILoyaltyPublisher"/>), flows and their dry run (<see cref="FlowDryRun"/>), milestones, the dispatcher and its
    /// Hangfire jobs, consent and signed links. Binds <c>Email</c>, <c>Email:Flows</c>, <c>Email:Milestones</c> and
    /// <c>Links</c> from the builder's configuration when it has one. Can be safely called multiple times.
    /// </summary>
    public static LoyaltyBuilder AddEmail(this LoyaltyBuilder builder, Action<LoyaltyEmailBuilder>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        var email = new LoyaltyEmailBuilder(builder);
        if (!services.Any(d => d.ServiceType == typeof(EmailMarker)))
        {
            services.AddSingleton<EmailMarker>();
            Register(services, builder.Configuration);
        }

        configure?.Invoke(email);
        return builder;
    }

    private static void Register(IServiceCollection services, IConfiguration? configuration)
    {
        // First hosted service: a broken flow or template stops the host before anything else starts.
        services.AddHostedService<EmailStartupValidation>();

        var emailOptions = services.AddOptions<EmailOptions>().ValidateDataAnnotations().ValidateOnStart();
        var milestoneOptions = services.AddOptions<MilestoneOptions>();
        var linkOptions = services.AddOptions<SignedLinkOptions>().ValidateDataAnnotations().ValidateOnStart();
        if (configuration is not null)
        {
            emailOptions.Bind(configuration.GetSection("Email"));
            milestoneOptions.Bind(configuration.GetSection("Email:Milestones"));
            linkOptions.Bind(configuration.GetSection("Links"));
        }

        services.AddSingleton<IPostConfigureOptions<SignedLinkOptions>, DevelopmentLinkKey>();
        TransportRegistration.Register(services, configuration);
        var templateOptions = services.AddOptions<TemplateOptions>().ValidateDataAnnotations();
        if (configuration is not null)
        {
            templateOptions.Bind(configuration.GetSection("Email:Templates"));
            var path = configuration["Email:TemplatesPath"];
            if (!string.IsNullOrWhiteSpace(path))
            {
                templateOptions.Configure(o => o.TemplatesPath ??= path);
            }
        }

        services.TryAddSingleton<IEmailTemplateRenderer, LiquidEmailTemplateRenderer>();
        services.TryAddSingleton<ILiquidConditionEvaluator, LiquidConditionEvaluator>();
        services.AddMetrics();
        services.TryAddSingleton<EmailTelemetry>();
        services.TryAddSingleton<SignedLinkTokens>();
        services.TryAddSingleton<Loyalty.Links.ISignedLinks>(sp => sp.GetRequiredService<SignedLinkTokens>());
        services.TryAddSingleton<TemplateModelFactory>();
        services.TryAddSingleton<ConsentGate>();
        services.TryAddSingleton(sp => new FlowConditionEvaluator(sp.GetService<ILiquidConditionEvaluator>()));
        services.TryAddSingleton(sp =>
        {
            var flows = sp.GetRequiredService<IOptions<FlowCatalogOptions>>().Value.Flows.ToList();
            var problems = new List<string>();
            if (configuration is not null)
            {
                flows.AddRange(FlowConfigurationReader.Read(configuration.GetSection("Email:Flows"), problems));
            }

            if (problems.Count > 0)
            {
                throw new FlowValidationException(problems);
            }

            return new FlowRegistry(flows, sp.GetService<IEmailTemplateRenderer>(), sp.GetService<ILiquidConditionEvaluator>());
        });
        services.TryAddScoped<EventIntake>();
        services.TryAddScoped<ILoyaltyPublisher>(sp => sp.GetRequiredService<EventIntake>());
        services.TryAddScoped(sp => new FlowDryRun(sp.GetRequiredService<EventIntake>(), sp.GetRequiredService<FlowRegistry>()));
        services.TryAddSingleton<IImmediateStepQueue, HangfireImmediateStepQueue>();
        services.TryAddSingleton<StepDispatcher>();
        services.TryAddTransient<DispatchJobs>();
        services.AddHostedService<SweepRegistration>();
    }

    private sealed class EmailMarker;

    /// <summary>
    /// Without configured keys, a random key is made for this process: links work until the process stops. Fine
    /// for a demo; production configures <c>Loyalty:Links:Keys</c>.
    /// </summary>
    private sealed class DevelopmentLinkKey : IPostConfigureOptions<SignedLinkOptions>
    {
        public void PostConfigure(string? name, SignedLinkOptions options)
        {
            if (options.Keys.Count == 0)
            {
                options.Keys[options.CurrentKeyId] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
            }
        }
    }

    private sealed class EmailStartupValidation(IServiceProvider services) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            _ = services.GetRequiredService<IEmailTemplateRenderer>();
            _ = services.GetRequiredService<FlowRegistry>();
            _ = services.GetRequiredService<SignedLinkTokens>();
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
