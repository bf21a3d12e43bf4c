using System.Text.Json;

namespace Loyalty.Cli.Tests;

public sealed class TemplatesValidateTests
{
    private const string Transactional = """{ "category": "transactional", "layout": null }""";
    private const string Marketing = """{ "category": "marketing", "layout": null }""";

    [Fact]
    public async Task The_shipped_default_templates_validate_without_errors_and_exit_zero()
    {
        var result = await Cli.RunAsync("templates", "validate", Paths.ShippedEmailTemplates);

        result.ExitCode.Should().Be(0, result.ToString());
        result.Stdout.Should().Contain("0 error(s)");
    }

    [Fact]
    public async Task A_template_with_an_unknown_variable_is_reported_with_file_and_line_and_exits_one()
    {
        using var folder = new TempFolder()
            .With("order-thanks/template.json", Transactional)
            .With("order-thanks/default/subject.liquid", "Thanks")
            .With("order-thanks/default/html.liquid", "<p>Hello</p>\n<p>{{ custmer.first_name }}</p>");

        var result = await Cli.RunAsync("templates", "validate", folder.Path, "--no-defaults");

        result.ExitCode.Should().Be(1, result.ToString());
        result.Stdout.Should().Contain("order-thanks/default/html.liquid:2:").And.Contain("error: unknown variable 'custmer'");
    }

    [Fact]
    public async Task A_misspelt_member_of_the_model_is_reported_with_the_member_meant()
    {
        using var folder = new TempFolder()
            .With("order-thanks/template.json", Transactional)
            .With("order-thanks/default/subject.liquid", "Thanks")
            .With("order-thanks/default/html.liquid", "<p>Hello</p>\n{% for line in order.lines %}<p>{{ line.prodcut_name }}</p>{% endfor %}\n<p>{{ referral.cod }}</p>");

        var result = await Cli.RunAsync("templates", "validate", folder.Path, "--no-defaults");

        result.ExitCode.Should().Be(1, result.ToString());
        result.Stdout.Should().Contain("order-thanks/default/html.liquid:2:41: error: unknown member 'prodcut_name' of line (did you mean 'product_name'?)")
            .And.Contain("order-thanks/default/html.liquid:3:16: error: unknown member 'cod' of referral (did you mean 'code'?): referral has code, share, url, wechat_qr_url.");
    }

    [Fact]
    public async Task A_template_with_an_unknown_filter_is_reported_with_file_and_line_and_exits_one()
    {
        using var folder = new TempFolder()
            .With("order-thanks/template.json", Transactional)
            .With("order-thanks/default/subject.liquid", "Thanks {{ customer.first_name | shout }}")
            .With("order-thanks/default/html.liquid", "<p>Hello</p>");

        var result = await Cli.RunAsync("templates", "validate", folder.Path, "--no-defaults");

        result.ExitCode.Should().Be(1, result.ToString());
        result.Stdout.Should().Contain("order-thanks/default/subject.liquid:1:").And.Contain("unknown filter 'shout'");
    }

    [Fact]
    public async Task A_template_with_a_syntax_error_is_reported_with_file_and_line_and_exits_one()
    {
        using var folder = new TempFolder()
            .With("order-thanks/template.json", Transactional)
            .With("order-thanks/default/subject.liquid", "Thanks")
            .With("order-thanks/default/html.liquid", "<p>Hello</p>\n\n{% if customer.first_name %}\n<p>{{ customer.first_name }}</p>");

        var result = await Cli.RunAsync("templates", "validate", folder.Path, "--no-defaults");

        result.ExitCode.Should().Be(1, result.ToString());
        result.Stdout.Should().MatchRegex(@"order-thanks/default/html\.liquid:[1-9][0-9]*:[0-9]+: error: ");
    }

    [Fact]
    public async Task A_marketing_template_without_an_unsubscribe_link_is_an_error_naming_the_file()
    {
        using var folder = new TempFolder()
            .With("spring-sale/template.json", Marketing)
            .With("spring-sale/default/subject.liquid", "Spring sale")
            .With("spring-sale/default/html.liquid", "<p>Sale!</p>\n<p>{{ shop.postal_address }}</p>");

        var result = await Cli.RunAsync("templates", "validate", folder.Path, "--no-defaults");

        result.ExitCode.Should().Be(1, result.ToString());
        result.Stdout.Should().Contain("spring-sale/default/html.liquid:2:1: error: marketing template without an unsubscribe link");
        result.Stdout.Should().NotContain("postal address");
    }

    [Fact]
    public async Task A_marketing_template_without_the_postal_address_is_an_error()
    {
        using var folder = new TempFolder()
            .With("spring-sale/template.json", Marketing)
            .With("spring-sale/default/subject.liquid", "Spring sale")
            .With("spring-sale/default/html.liquid", "<p>Sale!</p>\n<a href=\"{{ links.unsubscribe }}\">Unsubscribe</a>");

        var result = await Cli.RunAsync("templates", "validate", folder.Path, "--no-defaults");

        result.ExitCode.Should().Be(1, result.ToString());
        result.Stdout.Should().Contain("spring-sale/default/html.liquid:2:1: error: marketing template without the shop's postal address");
    }

    [Fact]
    public async Task A_locale_that_other_templates_have_is_a_warning_and_the_exit_code_stays_zero()
    {
        using var folder = new TempFolder()
            .With("a/template.json", Transactional)
            .With("a/default/subject.liquid", "A")
            .With("a/default/html.liquid", "<p>A</p>")
            .With("a/th/subject.liquid", "ก")
            .With("a/th/html.liquid", "<p>ก</p>")
            .With("b/template.json", Transactional)
            .With("b/default/subject.liquid", "B")
            .With("b/default/html.liquid", "<p>B</p>");

        var result = await Cli.RunAsync("templates", "validate", folder.Path, "--no-defaults");

        result.ExitCode.Should().Be(0, result.ToString());
        result.Stdout.Should().Contain("warning: template 'b' has no 'th' locale");
    }

    [Fact]
    public async Task A_template_without_a_default_locale_is_an_error()
    {
        using var folder = new TempFolder()
            .With("a/template.json", Transactional)
            .With("a/th/subject.liquid", "ก")
            .With("a/th/html.liquid", "<p>ก</p>");

        var result = await Cli.RunAsync("templates", "validate", folder.Path, "--no-defaults");

        result.ExitCode.Should().Be(1, result.ToString());
        result.Stdout.Should().Contain("error: template 'a' has no 'default' locale folder");
    }

    [Fact]
    public async Task Progress_goes_to_stderr_and_the_summary_to_stdout()
    {
        var result = await Cli.RunAsync("templates", "validate", Paths.ShippedEmailTemplates);

        result.Stderr.Should().Contain("validated 3/3 templates");
        result.Stdout.Should().NotContain("validated 3/3");
    }

    [Fact]
    public async Task The_json_output_parses_and_lists_every_finding()
    {
        using var folder = new TempFolder()
            .With("order-thanks/template.json", Transactional)
            .With("order-thanks/default/subject.liquid", "Thanks")
            .With("order-thanks/default/html.liquid", "<p>{{ custmer.first_name }}</p>");

        var result = await Cli.RunAsync("templates", "validate", folder.Path, "--no-defaults", "--json");

        result.ExitCode.Should().Be(1);
        using var json = JsonDocument.Parse(result.Stdout);
        json.RootElement.GetProperty("errors").GetInt32().Should().Be(1);
        var finding = json.RootElement.GetProperty("diagnostics")[0];
        finding.GetProperty("file").GetString().Should().Be("order-thanks/default/html.liquid");
        finding.GetProperty("line").GetInt32().Should().Be(1);
        finding.GetProperty("severity").GetString().Should().Be("error");
    }

    [Fact]
    public async Task A_folder_that_does_not_exist_is_a_usage_error_with_exit_code_two()
    {
        var result = await Cli.RunAsync("templates", "validate", "/no/such/folder");

        result.ExitCode.Should().Be(2);
        result.Stderr.Should().Contain("does not exist");
    }

    [Fact]
    public async Task An_unknown_option_is_a_usage_error()
    {
        var result = await Cli.RunAsync("templates", "validate", Paths.ShippedEmailTemplates, "--fast");

        result.ExitCode.Should().Be(2);
        result.Stderr.Should().Contain("unknown option '--fast'");
    }

    [Fact]
    public async Task Help_lists_every_command()
    {
        var result = await Cli.RunAsync("--help");

        result.ExitCode.Should().Be(0);
        result.Stdout.Should().Contain("templates validate").And.Contain("templates preview").And.Contain("flows list")
            .And.Contain("flows check").And.Contain("flows dry-run");
    }
}
