using Loyalty.DependencyInjection;
using Loyalty.Email.Flows;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Loyalty.Email;

/// <summary>Configures Loyalty.Email: flows, transport, templates. Returned by <c>AddEmail</c>.</summary>
public sealed class LoyaltyEmailBuilder
{
    internal LoyaltyEmailBuilder(LoyaltyBuilder loyalty)
    {
        Loyalty = loyalty;
    }

    /// <summary>The Loyalty builder this belongs to.</summary>
    public LoyaltyBuilder Loyalty { get; }

    /// <summary>The service collection.</summary>
    public IServiceCollection Services => Loyalty.Services;

    /// <summary>Adds a flow defined in C#.</summary>
    public LoyaltyEmailBuilder AddFlow(string id, Action<FlowBuilder> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        var builder = new FlowBuilder(id);
        configure(builder);
        return AddFlow(builder.Build());
    }

    /// <summary>Adds a flow definition.</summary>
    public LoyaltyEmailBuilder AddFlow(FlowDefinition flow)
    {
        ArgumentNullException.ThrowIfNull(flow);
        Services.Configure<FlowCatalogOptions>(o => o.Flows.Add(flow));
        return this;
    }

    /// <summary>Sends over SMTP (pooled MailKit connections) with these settings.</summary>
    public LoyaltyEmailBuilder UseSmtp(Action<Delivery.SmtpOptions> configure)
    {
        Services.Configure(configure);
        return this;
    }

    /// <summary>Writes every message as an .eml file into <paramref name="directory"/> instead of sending it (development).</summary>
    public LoyaltyEmailBuilder UseFileTransport(string directory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        Services.Configure<Delivery.FileTransportOptions>(o => o.Directory = directory);
        Services.PostConfigure<Delivery.SmtpOptions>(o => o.Host = "");
        return this;
    }

    /// <summary>Replaces the transport (for tests or another delivery service).</summary>
    public LoyaltyEmailBuilder UseTransport<TTransport>() where TTransport : class, Delivery.IEmailTransport
    {
        Services.Replace(ServiceDescriptor.Singleton<Delivery.IEmailTransport, TTransport>());
        return this;
    }

    /// <summary>
    /// Switches on proactive service recovery: when the shop publishes <see cref="Events.ServiceIssueDetected"/>, the
    /// customer gets the <c>service-recovery-apology</c> e-mail at once (transactional, in their language) and a credit
    /// through the host's <see cref="ICreditIssuer"/>, once per issue. Marketing for the customer pauses for
    /// <see cref="EmailOptions.ServiceIssuePause"/> (flows that exit on <see cref="BuiltInCondition.HasOpenServiceIssue"/>).
    /// </summary>
    public LoyaltyEmailBuilder AddServiceRecovery(string template = "service-recovery-apology", string creditKind = "service-recovery-credit")
        => AddFlow(ServiceRecoveryFlowId, flow => flow
            .On(Events.EventTypes.ServiceIssueDetected)
            .Transactional()
            .WithPriority(100)
            .Send(template)
            .IssueCredit(creditKind));

    /// <summary>The id of the flow <see cref="AddServiceRecovery"/> adds.</summary>
    public const string ServiceRecoveryFlowId = "service-recovery";

    /// <summary>Configures the e-mail options in code.</summary>
    public LoyaltyEmailBuilder Configure(Action<EmailOptions> configure)
    {
        Services.Configure(configure);
        return this;
    }
}

/// <summary>The flows defined in code (configuration flows are read separately and added at start-up).</summary>
public sealed class FlowCatalogOptions
{
    /// <summary>Flows added with <see cref="LoyaltyEmailBuilder.AddFlow(FlowDefinition)"/>.</summary>
    public IList<FlowDefinition> Flows { get; } = [];
}
