using System.Globalization;
using Loyalty.Email.Composition;
using Loyalty.Email.Templates;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Loyalty.Benchmarks.Shared;

/// <summary>
/// The realistic marketing e-mail every stage measures: layout, three partials (header, share block, footer), five
/// order lines, the money, date and upcase filters; subject, HTML and text bodies. Templates live in Templates/.
/// </summary>
public static class BenchEmail
{
    /// <summary>The template's name in Templates/.</summary>
    public const string TemplateName = "order-thanks";

    /// <summary>Where the copied templates are at run time.</summary>
    public static string TemplatesDirectory => Path.Combine(AppContext.BaseDirectory, "Templates");

    /// <summary>Configuration a host needs for the Loyalty e-mail package with the bench templates only.</summary>
    public static Dictionary<string, string?> Configuration(string? smtpHost = null, int smtpPort = 25) => new()
    {
        ["Loyalty:Shop:Name"] = "Tea & Kettle",
        ["Loyalty:Shop:BaseUrl"] = "https://shop.example/",
        ["Loyalty:Shop:PostalAddress"] = "1 Tea Street, Taipei",
        ["Loyalty:Email:From"] = "Tea & Kettle <care@shop.example>",
        ["Loyalty:Email:TemplatesPath"] = TemplatesDirectory,
        ["Loyalty:Email:Smtp:Host"] = smtpHost,
        ["Loyalty:Email:Smtp:Port"] = smtpPort.ToString(CultureInfo.InvariantCulture),
        ["Loyalty:Email:Smtp:Security"] = "None",
        ["Loyalty:Links:Keys:1"] = Convert.ToBase64String(new byte[32]),
    };

    /// <summary>A service provider with Loyalty's e-mail package registered the way a shop does (public DI path).</summary>
    public static ServiceProvider BuildEmailServices(string? smtpHost = null, int smtpPort = 25, Action<IServiceCollection>? extra = null)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(Configuration(smtpHost, smtpPort)).Build();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddLogging(l => l.SetMinimumLevel(LogLevel.Warning));
        services.AddSingleton(TimeProvider.System);
        extra?.Invoke(services);
        services.AddLoyalty(configuration.GetSection("Loyalty")).AddEmail();
        DeclareShareLinks(services);
        return services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = false });
    }

    /// <summary>
    /// The bench mail's share block reads <c>links.share.*</c>, which this model (not Loyalty's) holds: declared so that
    /// template validation knows it, as a host declares what its own model contributor adds.
    /// </summary>
    public static void DeclareShareLinks(IServiceCollection services) =>
        services.Configure<TemplateOptions>(o => o.Model.Declare("links.share.*"));

    /// <summary>The template model of message <paramref name="i"/>: what TemplateModelFactory would hand the renderer.</summary>
    public static TemplateModel Model(int i)
    {
        var lines = new List<object?>();
        decimal total = 0;
        for (var n = 1; n <= 5; n++)
        {
            var price = 120m * n + 0.5m;
            total += price * n;
            lines.Add(new Dictionary<string, object?>
            {
                ["product_name"] = $"Oolong harvest tin no. {n}",
                ["sku"] = $"tea-oolong-{n:00}",
                ["quantity"] = n,
                ["unit_price"] = new MoneyValue(price, "TWD"),
                ["url"] = $"https://shop.example/products/tea-oolong-{n:00}",
            });
        }

        var id = i.ToString(CultureInfo.InvariantCulture);
        var share = "https%3A%2F%2Fshop.example%2Fr%2FMEI" + id;
        var root = new Dictionary<string, object?>
        {
            ["customer"] = new Dictionary<string, object?> { ["first_name"] = "Mei", ["last_name"] = "Lin", ["email"] = $"mei{id}@example.test" },
            ["order"] = new Dictionary<string, object?>
            {
                ["id"] = "A-" + id,
                ["placed_at"] = new DateTimeOffset(2026, 3, 14, 9, 30, 0, TimeSpan.Zero),
                ["total"] = new MoneyValue(total, "TWD"),
                ["lines"] = lines,
            },
            ["shop"] = new Dictionary<string, object?> { ["name"] = "Tea & Kettle", ["url"] = "https://shop.example/", ["postal_address"] = "1 Tea Street, Taipei" },
            ["links"] = new Dictionary<string, object?>
            {
                ["shop"] = "https://shop.example/",
                ["unsubscribe"] = "https://shop.example/loyalty/unsubscribe/tok" + id,
                ["preferences"] = "https://shop.example/loyalty/preferences/tok" + id,
                ["share"] = new Dictionary<string, object?>
                {
                    ["facebook"] = "https://www.facebook.com/sharer/sharer.php?u=" + share,
                    ["x"] = "https://x.com/intent/post?url=" + share,
                    ["line"] = "https://social-plugins.line.me/lineit/share?url=" + share,
                    ["whatsapp"] = "https://wa.me/?text=" + share,
                    ["telegram"] = "https://t.me/share/url?url=" + share,
                    ["email"] = "mailto:?subject=Tea&body=" + share,
                },
            },
        };
        return new TemplateModel(root, "Asia/Taipei", "en");
    }

    /// <summary>The envelope of message <paramref name="i"/>.</summary>
    public static Envelope Envelope(int i, string? to = null) => new(
        "Tea & Kettle <care@shop.example>",
        null,
        to ?? $"mei{i.ToString(CultureInfo.InvariantCulture)}@example.test",
        "Mei Lin",
        $"{Guid.NewGuid():N}@shop.example",
        new Uri("https://shop.example/loyalty/unsubscribe/tok" + i.ToString(CultureInfo.InvariantCulture)),
        new DateTimeOffset(2026, 3, 14, 9, 30, 0, TimeSpan.Zero));
}
