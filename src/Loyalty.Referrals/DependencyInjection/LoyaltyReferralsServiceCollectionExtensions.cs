using System.ComponentModel.DataAnnotations;
using Loyalty.DependencyInjection;
using Loyalty.Email;
using Loyalty.Email.Composition;
using Loyalty.Referrals;
using Loyalty.Referrals.Attribution;
using Loyalty.Referrals.Codes;
using Loyalty.Referrals.Diagnostics;
using Loyalty.Referrals.Fraud;
using Loyalty.Referrals.Reviews;
using Loyalty.Referrals.Rewards;
using Loyalty.Referrals.Sharing;
using Loyalty.Referrals.Sharing.Networks;
using Loyalty.Referrals.Stores;
using Loyalty.Stores;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers Loyalty.Referrals.</summary>
public static class LoyaltyReferralsServiceCollectionExtensions
{
    /// <summary>
    /// Adds the referral and review programme: codes, visits and attribution, fraud rules, rewards through the host's
    /// <see cref="Loyalty.Email.Flows.ICreditIssuer"/>, share links for every network, review star links, the funnel,
    /// the <c>referral</c>/<c>review</c> template variables, the advocate and review flows and, when
    /// <see cref="ReferralRewardOptions.ReviewRewardKind"/> is set, the honest-review reward flow. Adds Loyalty.Email
    /// too. Binds <c>Referrals</c> from the builder's configuration when it has one. Stores come from
    /// <c>UseEntityFrameworkCore</c> or <see cref="AddInMemoryReferralStores"/>. Can be safely called multiple times.
    /// </summary>
    public static LoyaltyBuilder AddReferrals(this LoyaltyBuilder builder, Action<ReferralOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.AddEmail();
        var services = builder.Services;
        if (!services.Any(d => d.ServiceType == typeof(ReferralsMarker)))
        {
            services.AddSingleton<ReferralsMarker>();
            Register(services, builder);
        }

        if (configure is not null)
        {
            services.Configure(configure);
        }

        return builder;
    }

    /// <summary>
    /// Uses <see cref="InMemoryReferralStore"/> for every referral store: NOT durable (a restart forgets everything),
    /// for tests and demos. Stores registered before win. Can be safely called multiple times.
    /// </summary>
    public static LoyaltyBuilder AddInMemoryReferralStores(this LoyaltyBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        services.TryAddSingleton<InMemoryReferralStore>();
        services.TryAddSingleton<IReferralCodeStore>(sp => sp.GetRequiredService<InMemoryReferralStore>());
        services.TryAddSingleton<IReferralVisitStore>(sp => sp.GetRequiredService<InMemoryReferralStore>());
        services.TryAddSingleton<IReferralAttributionStore>(sp => sp.GetRequiredService<InMemoryReferralStore>());
        services.TryAddSingleton<IReferralRewardStore>(sp => sp.GetRequiredService<InMemoryReferralStore>());
        services.TryAddSingleton<IReferralFraudStore>(sp => sp.GetRequiredService<InMemoryReferralStore>());
        services.TryAddSingleton<IShareEventStore>(sp => sp.GetRequiredService<InMemoryReferralStore>());
        services.TryAddSingleton<IReviewStore>(sp => sp.GetRequiredService<InMemoryReferralStore>());
        services.TryAddSingleton<ICustomerFingerprintStore>(sp => sp.GetRequiredService<InMemoryReferralStore>());
        return builder;
    }

    private static void Register(IServiceCollection services, LoyaltyBuilder builder)
    {
        var options = services.AddOptions<ReferralOptions>().ValidateDataAnnotations().ValidateOnStart();
        if (builder.Configuration is { } configuration)
        {
            options.Bind(configuration.GetSection("Referrals"));
        }

        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ReferralOptions>, NestedReferralOptionsValidation>());
        services.AddMetrics();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<ReferralTelemetry>();
        services.TryAddSingleton<ShareTextCatalog>();
        services.TryAddSingleton<ShareLinkBuilder>();
        services.TryAddSingleton<ReviewLinks>();
        services.TryAddSingleton<ReviewLinkVerifier>();
        foreach (var network in BuiltInNetworks)
        {
            services.TryAddEnumerable(ServiceDescriptor.Singleton(typeof(IShareNetwork), network));
        }

        services.TryAddEnumerable(ServiceDescriptor.Singleton<ITemplateModelContributor, ReferralTemplateModelContributor>());
        services.TryAddScoped<ReferralCodes>();
        services.TryAddScoped<ReferralVisits>();
        services.TryAddScoped<ReferralFraudRules>();
        services.TryAddScoped<ReferralAttributor>();
        services.TryAddScoped<ReferralRewards>();
        services.TryAddScoped<ReferralFunnel>();
        services.TryAddScoped<ShareOpens>();
        services.TryAddScoped<ReferralProcessor>();
        services.TryAddEnumerable(ServiceDescriptor.Scoped<Loyalty.Publishing.ILoyaltyEventObserver, ReferralEventObserver>());
        services.Configure<Loyalty.Email.Templates.TemplateOptions>(o =>
        {
            if (!o.ShippedTemplateAssemblies.Contains(typeof(ReferralProcessor).Assembly))
            {
                o.ShippedTemplateAssemblies.Add(typeof(ReferralProcessor).Assembly);
            }

            ReferralTemplateModelContributor.DeclareShape(o.Model);
        });

        services.AddOptions<FlowCatalogOptions>().Configure<IOptions<ReferralOptions>>((catalog, referral) =>
        {
            var value = referral.Value;
            catalog.Flows.Add(ReferralFlows.FriendJoined());
            catalog.Flows.Add(ReferralFlows.ReturnWindow(value.ReturnWindow));
            catalog.Flows.Add(ReferralFlows.RewardReady());
            if (value.Reviews.Enabled)
            {
                catalog.Flows.Add(ReviewFlows.Prompt(value.Reviews));
                catalog.Flows.Add(ReviewFlows.ThanksShare(value.Reviews));
            }

            if (!string.IsNullOrWhiteSpace(value.Rewards.ReviewRewardKind))
            {
                catalog.Flows.Add(ReviewFlows.Reward(value.Rewards.ReviewRewardKind));
            }
        });
    }

    private static readonly Type[] BuiltInNetworks =
    [
        typeof(FacebookShareNetwork), typeof(XShareNetwork), typeof(LinkedInShareNetwork), typeof(WhatsAppShareNetwork),
        typeof(TelegramShareNetwork), typeof(LineShareNetwork), typeof(WeiboShareNetwork), typeof(PinterestShareNetwork),
        typeof(RedditShareNetwork), typeof(EmailShareNetwork), typeof(WeChatShareNetwork),
    ];

    private sealed class ReferralsMarker;

    /// <summary>DataAnnotations validation does not descend into nested options; this does, for each section.</summary>
    private sealed class NestedReferralOptionsValidation : IValidateOptions<ReferralOptions>
    {
        public ValidateOptionsResult Validate(string? name, ReferralOptions options)
        {
            var failures = new List<string>();
            foreach (var (section, value) in new (string, object)[] { ("Rewards", options.Rewards), ("Fraud", options.Fraud), ("Sharing", options.Sharing), ("Reviews", options.Reviews) })
            {
                var results = new List<ValidationResult>();
                if (!Validator.TryValidateObject(value, new ValidationContext(value), results, validateAllProperties: true))
                {
                    failures.AddRange(results.Select(r => $"Referrals:{section}: {r.ErrorMessage}"));
                }
            }

            return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
        }
    }

    // Resolved at call time: the processor publishes through the same intake that calls this observer.
    private sealed class ReferralEventObserver(IServiceProvider services) : Loyalty.Publishing.ILoyaltyEventObserver
    {
        public Task OnAcceptedAsync(Loyalty.Events.LoyaltyEvent loyaltyEvent, CancellationToken cancellationToken)
            => services.GetRequiredService<ReferralProcessor>().HandleAsync(loyaltyEvent, cancellationToken);
    }
}
