using Loyalty.Email.Composition;
using Loyalty.Email.Delivery;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using MimeKit;

namespace Loyalty.Email;

/// <summary>
/// Chooses the transport: SMTP when <c>Email:Smtp:Host</c> is configured (or <see cref="LoyaltyEmailBuilder.UseSmtp"/> is
/// called), otherwise the file transport into <c>Email:FileTransport:Directory</c> (default: a <c>mailbox</c> folder
/// under the app's base directory). DKIM signs every message when <c>Email:Dkim:Domain</c> is configured.
/// </summary>
internal static class TransportRegistration
{
    public static void Register(IServiceCollection services, IConfiguration? configuration)
    {
        var smtp = services.AddOptions<SmtpOptions>();
        var file = services.AddOptions<FileTransportOptions>();
        var dkim = services.AddOptions<DkimOptions>();
        if (configuration is not null)
        {
            smtp.Bind(configuration.GetSection("Email:Smtp"));
            file.Bind(configuration.GetSection("Email:FileTransport"));
            dkim.Bind(configuration.GetSection("Email:Dkim"));
        }

        file.PostConfigure(o => o.Directory = string.IsNullOrWhiteSpace(o.Directory) ? Path.Combine(AppContext.BaseDirectory, "mailbox") : o.Directory);
        services.TryAddSingleton<SmtpEmailTransport>();
        services.TryAddSingleton<FileEmailTransport>();
        services.TryAddSingleton<MailboxReader>(sp => new MailboxReader(sp.GetRequiredService<IOptions<FileTransportOptions>>().Value.Directory));
        services.TryAddSingleton<IEmailTransport>(sp =>
            string.IsNullOrWhiteSpace(sp.GetRequiredService<IOptions<SmtpOptions>>().Value.Host)
                ? sp.GetRequiredService<FileEmailTransport>()
                : sp.GetRequiredService<SmtpEmailTransport>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IMessageSigner, ConfiguredDkimSigner>());
    }

    /// <summary>Signs with DKIM when a DKIM domain is configured; otherwise leaves the message as it is.</summary>
    private sealed class ConfiguredDkimSigner : IMessageSigner
    {
        private readonly Lazy<DkimMessageSigner?> _signer;

        public ConfiguredDkimSigner(IOptions<DkimOptions> options, TimeProvider time)
        {
            _signer = new Lazy<DkimMessageSigner?>(() => string.IsNullOrWhiteSpace(options.Value.Domain) ? null : new DkimMessageSigner(options, time));
        }

        public void Sign(MimeMessage message) => _signer.Value?.Sign(message);
    }
}
