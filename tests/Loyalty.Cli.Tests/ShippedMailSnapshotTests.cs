using System.Text;
using System.Text.Json;

namespace Loyalty.Cli.Tests;

/// <summary>
/// Every shipped template in every shipped locale, rendered through <c>loyalty templates preview</c> with one fixed
/// model (TestData/shipped-mail-model.json), compared with the mail captured in ShippedMail/. A change of the Liquid
/// engine, the filters or the templates shows up here as a diff of those files; set LOYALTY_UPDATE_SNAPSHOTS=1 to
/// write them (and explain each change in the commit).
/// </summary>
public sealed class ShippedMailSnapshotTests
{
    private static readonly string[] Locales = ["en", "zh-TW", "zh-CN", "th-TH"];

    public static TheoryData<string, string> TemplatesAndLocales()
    {
        var data = new TheoryData<string, string>();
        foreach (var name in ShippedTemplateNames())
        {
            foreach (var locale in Locales)
            {
                data.Add(name, locale);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(TemplatesAndLocales))]
    public async Task A_shipped_template_renders_the_captured_mail(string name, string locale)
    {
        var result = await Cli.RunAsync("templates", "preview", name, "--locale", locale, "--json",
            "--config", Paths.TestData("appsettings.json"), "--data", Paths.TestData("shipped-mail-model.json"));
        result.ExitCode.Should().Be(0, result.ToString());

        using var json = JsonDocument.Parse(result.Stdout);
        var root = json.RootElement;
        var actual = new StringBuilder()
            .Append("Subject: ").Append(root.GetProperty("subject").GetString()).Append('\n')
            .Append("----- HTML -----\n").Append(root.GetProperty("html").GetString()).Append('\n')
            .Append("----- text -----\n").Append(root.GetProperty("text").GetString()).Append('\n')
            .ToString();

        var path = Path.Combine(Paths.RepositoryRoot, "tests", "Loyalty.Cli.Tests", "ShippedMail", name, locale + ".txt");
        if (Environment.GetEnvironmentVariable("LOYALTY_UPDATE_SNAPSHOTS") == "1")
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            await File.WriteAllTextAsync(path, actual);
        }

        File.Exists(path).Should().BeTrue($"the captured mail {path} exists (LOYALTY_UPDATE_SNAPSHOTS=1 writes it)");
        actual.Should().Be(await File.ReadAllTextAsync(path), $"{name} in {locale} renders as captured in {path}");
    }

    [Fact]
    public void Every_shipped_template_has_captured_mail()
    {
        ShippedTemplateNames().Should().HaveCountGreaterThanOrEqualTo(10);
        foreach (var name in ShippedTemplateNames())
        {
            Directory.Exists(Path.Combine(Paths.RepositoryRoot, "tests", "Loyalty.Cli.Tests", "ShippedMail", name)).Should().BeTrue(name);
        }
    }

    private static IEnumerable<string> ShippedTemplateNames() =>
        new[] { Path.Combine("src", "Loyalty.Email", "Templates", "Defaults"), Path.Combine("src", "Loyalty.Referrals", "Templates", "Defaults") }
            .SelectMany(folder => Directory.EnumerateDirectories(Path.Combine(Paths.RepositoryRoot, folder)))
            .Select(Path.GetFileName)
            .OfType<string>()
            .Where(name => !name.StartsWith('_'))
            .Order(StringComparer.Ordinal);
}
