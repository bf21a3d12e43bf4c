using Loyalty.Email.Templates;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Loyalty.Cli;

/// <summary>Where the templates and settings of one command come from.</summary>
/// <param name="ConfigPath">An appsettings file (its <c>Loyalty</c> section is bound like a host binds it), or null.</param>
/// <param name="TemplatesPath">A templates folder that overrides <c>Loyalty:Email:TemplatesPath</c>, or null.</param>
/// <param name="IncludeShippedDefaults">Whether the templates shipped in the packages are loaded too (as in a host).</param>
/// <param name="IncludeReferrals">Whether Loyalty.Referrals is registered (its templates, flows, share links).</param>
internal sealed record ServiceSettings(string? ConfigPath, string? TemplatesPath, bool IncludeShippedDefaults, bool IncludeReferrals)
{
    public static ServiceSettings From(CommandLine line) => new(
        line.Get("--config"),
        line.Get("--templates"),
        !line.Has("--no-defaults"),
        !line.Has("--email-only"));
}

/// <summary>
/// Registers Loyalty the way a host does (<c>AddLoyalty(configuration.GetSection("Loyalty")).AddEmail().AddReferrals()</c>,
/// in-memory stores), so every command runs the packages' own validator, renderer, flow reader and model factory.
/// </summary>
internal static class LoyaltyServices
{
    public static IConfigurationRoot ReadConfiguration(string? configPath)
    {
        var builder = new ConfigurationBuilder();
        if (configPath is null)
        {
            return builder.Build();
        }

        var full = Path.GetFullPath(configPath);
        if (!File.Exists(full))
        {
            throw new CliUsageException($"configuration file '{configPath}' does not exist.");
        }

        try
        {
            builder.AddJsonFile(full, optional: false, reloadOnChange: false);
            var configuration = builder.Build();

            // A relative TemplatesPath in the file is relative to the file (a host resolves it from its content root,
            // which is where its appsettings.json lives).
            var overrides = new Dictionary<string, string?>(StringComparer.Ordinal);
            foreach (var key in new[] { "Loyalty:Email:TemplatesPath", "Loyalty:Email:Templates:TemplatesPath" })
            {
                if (configuration[key] is { Length: > 0 } path && !Path.IsPathRooted(path))
                {
                    overrides[key] = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(full)!, path));
                }
            }

            return overrides.Count == 0 ? configuration : builder.AddInMemoryCollection(overrides).Build();
        }
        catch (InvalidDataException ex)
        {
            throw new CliUsageException($"configuration file '{configPath}' is not valid JSON: {ex.InnerException?.Message ?? ex.Message}", ex);
        }
        catch (FormatException ex)
        {
            throw new CliUsageException($"configuration file '{configPath}' is not valid JSON: {ex.Message}", ex);
        }
    }

    public static ServiceProvider Build(ServiceSettings settings, IConfiguration configuration, TimeProvider time)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton(time);
        var loyalty = services.AddLoyalty(configuration.GetSection("Loyalty"));
        loyalty.AddEmail();
        if (settings.IncludeReferrals)
        {
            loyalty.AddReferrals().AddInMemoryReferralStores();
        }

        loyalty.UseInMemoryStores();
        services.PostConfigure<TemplateOptions>(o =>
        {
            if (settings.TemplatesPath is not null)
            {
                o.TemplatesPath = Path.GetFullPath(settings.TemplatesPath);
            }

            o.IncludeShippedDefaults = settings.IncludeShippedDefaults;
        });
        return services.BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true });
    }
}
