using Loyalty.Email.Templates;
using Loyalty.Email.Templates.Liquid;

namespace Loyalty.Email.Tests.Templates;

/// <summary>A throw-away templates directory written by a test.</summary>
internal sealed class TemplateDirectory : IDisposable
{
    public TemplateDirectory()
    {
        Root = Path.Combine(Path.GetTempPath(), "loyalty-templates-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Root);
    }

    public string Root { get; }

    public TemplateDirectory With(string relativePath, string text)
    {
        var path = Path.Combine(Root, relativePath);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
        return this;
    }

    public TemplateDirectory WithTemplate(string name, string html, string subject = "Hello {{ customer.first_name }}", string locale = "default") =>
        With($"{name}/{locale}/subject.liquid", subject).With($"{name}/{locale}/html.liquid", html).With($"{name}/template.json", "{ \"category\": \"transactional\", \"layout\": null }");

    public TemplateOptions Options(Action<TemplateOptions>? configure = null)
    {
        var options = new TemplateOptions { TemplatesPath = Root, IncludeShippedDefaults = false };
        configure?.Invoke(options);
        return options;
    }

    public LiquidEmailTemplateRenderer Renderer(Action<TemplateOptions>? configure = null) => new(Options(configure));

    public void Dispose() => Directory.Delete(Root, recursive: true);

    public static TemplateModel Model(string firstName = "Mei", string locale = "zh-TW", string zone = "Asia/Taipei", IReadOnlyDictionary<string, object?>? order = null) =>
        new(
            new Dictionary<string, object?>
            {
                ["customer"] = new Dictionary<string, object?> { ["first_name"] = firstName, ["locale"] = locale },
                ["shop"] = new Dictionary<string, object?> { ["name"] = "Leaf & Co", ["url"] = "https://leaf.example", ["postal_address"] = "1 Tea Road, Taipei" },
                ["links"] = new Dictionary<string, object?> { ["unsubscribe"] = "https://leaf.example/u?t=1&x=2", ["preferences"] = "https://leaf.example/p" },
                ["order"] = order ?? new Dictionary<string, object?>
                {
                    ["id"] = "A-1001",
                    ["total"] = new MoneyValue(1200m, "TWD"),
                    ["placed_at"] = new DateTimeOffset(2026, 3, 4, 17, 30, 0, TimeSpan.Zero),
                    ["lines"] = new List<object?>
                    {
                        new Dictionary<string, object?> { ["sku"] = "starter-kit", ["product_name"] = "Starter kit", ["quantity"] = 1, ["unit_price"] = new MoneyValue(1200m, "TWD"), ["tags"] = new List<object?> { "kit" } },
                    },
                },
                ["milestone"] = new Dictionary<string, object?> { ["name"] = "Fifth order", ["key"] = "orders-5" },
                ["issue"] = new Dictionary<string, object?> { ["kind"] = "late_delivery", ["credit"] = new MoneyValue(150m, "TWD") },
            },
            zone,
            locale);
}
