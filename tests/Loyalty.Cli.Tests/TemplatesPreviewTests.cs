using System.Text.Json;

namespace Loyalty.Cli.Tests;

public sealed class TemplatesPreviewTests
{
    [Fact]
    public async Task Preview_writes_the_subject_the_html_and_the_text_into_the_out_folder()
    {
        using var output = new TempFolder();

        var result = await Cli.RunAsync("templates", "preview", "starter-kit-checkin", "--locale", "th-TH",
            "--config", Paths.TestData("appsettings.json"), "--out", output.Path);

        result.ExitCode.Should().Be(0, result.ToString());
        var subject = await File.ReadAllTextAsync(Path.Combine(output.Path, "subject.txt"));
        var html = await File.ReadAllTextAsync(Path.Combine(output.Path, "body.html"));
        var text = await File.ReadAllTextAsync(Path.Combine(output.Path, "body.txt"));
        subject.Should().Contain("Mei").And.NotContain("\n\n");
        html.Should().Contain("<html").And.Contain("Starter Kit").And.Contain("Tea &amp; Kettle");
        text.Should().Contain("Starter Kit").And.NotContain("<p>");
        result.Stdout.Should().Contain("body.html");
    }

    [Fact]
    public async Task Preview_renders_the_locale_asked_for_with_fallback()
    {
        var thai = await Cli.RunAsync("templates", "preview", "starter-kit-checkin", "--locale", "th-TH");
        var english = await Cli.RunAsync("templates", "preview", "starter-kit-checkin", "--locale", "en");

        thai.ExitCode.Should().Be(0, thai.ToString());
        thai.Stdout.Should().Contain("สวัสดี");
        english.Stdout.Should().NotContain("สวัสดี");
    }

    [Fact]
    public async Task Preview_prints_the_three_parts_when_no_out_folder_is_given()
    {
        var result = await Cli.RunAsync("templates", "preview", "service-recovery-apology", "--locale", "zh-TW");

        result.ExitCode.Should().Be(0, result.ToString());
        result.Stdout.Should().StartWith("Subject: ").And.Contain("----- HTML -----").And.Contain("----- text -----");
    }

    [Fact]
    public async Task Preview_uses_an_event_given_with_data()
    {
        var result = await Cli.RunAsync("templates", "preview", "starter-kit-checkin", "--data", Paths.TestData("order-placed.json"), "--json");

        result.ExitCode.Should().Be(0, result.ToString());
        using var json = JsonDocument.Parse(result.Stdout);
        json.RootElement.GetProperty("locale").GetString().Should().Be("en");
        json.RootElement.GetProperty("html").GetString().Should().Contain("Starter Kit");
    }

    [Fact]
    public async Task Preview_lays_plain_model_data_over_the_sample()
    {
        using var folder = new TempFolder()
            .With("hello/template.json", """{ "layout": null }""")
            .With("hello/default/subject.liquid", "Hi {{ customer.first_name }}")
            .With("hello/default/html.liquid", "<p>{{ order.total | money }}</p>")
            .With("data.json", """{ "customer": { "first_name": "Somchai" }, "order": { "total": { "amount": 1500, "currency": "THB" } } }""");

        var result = await Cli.RunAsync("templates", "preview", "hello", "--templates", folder.Path, "--no-defaults",
            "--locale", "th-TH", "--data", Path.Combine(folder.Path, "data.json"), "--json");

        result.ExitCode.Should().Be(0, result.ToString());
        using var json = JsonDocument.Parse(result.Stdout);
        json.RootElement.GetProperty("subject").GetString().Should().Be("Hi Somchai");
        json.RootElement.GetProperty("html").GetString().Should().Contain("1,500");
    }

    [Fact]
    public async Task Preview_json_output_parses_and_carries_every_part()
    {
        var result = await Cli.RunAsync("templates", "preview", "milestone-congratulation", "--locale", "zh-CN", "--json");

        result.ExitCode.Should().Be(0, result.ToString());
        using var json = JsonDocument.Parse(result.Stdout);
        json.RootElement.GetProperty("template").GetString().Should().Be("milestone-congratulation");
        json.RootElement.GetProperty("subject").GetString().Should().NotBeNullOrWhiteSpace();
        json.RootElement.GetProperty("html").GetString().Should().Contain("<");
        json.RootElement.GetProperty("text").GetString().Should().NotBeNullOrWhiteSpace();
    }

    [Fact]
    public async Task Preview_of_an_unknown_template_exits_one()
    {
        var result = await Cli.RunAsync("templates", "preview", "no-such-template");

        result.ExitCode.Should().Be(1);
        result.Stderr.Should().Contain("no template named 'no-such-template'");
    }

    [Fact]
    public async Task Preview_of_a_folder_with_a_broken_template_reports_file_and_line_and_exits_one()
    {
        using var folder = new TempFolder()
            .With("hello/template.json", """{ "layout": null }""")
            .With("hello/default/subject.liquid", "Hi")
            .With("hello/default/html.liquid", "<p>{{ nobody }}</p>");

        var result = await Cli.RunAsync("templates", "preview", "hello", "--templates", folder.Path, "--no-defaults");

        result.ExitCode.Should().Be(1);
        result.Stderr.Should().Contain("hello/default/html.liquid:1:").And.Contain("unknown variable 'nobody'");
    }
}
