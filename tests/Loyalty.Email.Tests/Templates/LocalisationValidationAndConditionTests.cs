using Loyalty.Email.Templates;
using Loyalty.Email.Templates.Liquid;

namespace Loyalty.Email.Tests.Templates;

public sealed class LocalisationValidationAndConditionTests
{
    private static string Render(string html, TemplateModel model)
    {
        using var dir = new TemplateDirectory().WithTemplate("t", html);
        return dir.Renderer().Render("t", model.Locale, model).Html;
    }

    private static TemplateModel WithLocale(string locale, string zone = "Asia/Taipei") => TemplateDirectory.Model(locale: locale, zone: zone);

    [Theory]
    [InlineData("en", "TWD", "1200", "TWD 1,200.00")]
    [InlineData("zh-TW", "TWD", "1200", "$1,200.00")]
    [InlineData("en", "JPY", "1200", "JPY 1,200")]
    [InlineData("ja-JP", "JPY", "1200.4", "￥1,200")]
    [InlineData("en", "BHD", "12.5", "BHD 12.500")]
    [InlineData("es-CL", "CLP", "1200", "$1.200")]
    [InlineData("zh-CN", "CNY", "88", "¥88.00")]
    [InlineData("th", "THB", "1250.5", "฿1,250.50")]
    [InlineData("en", "USD", "12.5", "$12.50")]
    [InlineData("en-US", "USD", "-12.5", "-$12.50")]
    public void Money_is_formatted_for_the_currency_and_locale(string locale, string currency, string amount, string expected)
    {
        var order = new Dictionary<string, object?> { ["total"] = new MoneyValue(decimal.Parse(amount, System.Globalization.CultureInfo.InvariantCulture), currency) };
        Render("{{ order.total | money }}", TemplateDirectory.Model(locale: locale, order: order)).Should().Be(expected);
    }

    [Fact]
    public void Money_compares_and_adds_as_its_amount_and_prints_as_money()
    {
        Render("{% if order.total > 1000 %}big{% endif %}{% if order.total < 1000 %}small{% endif %}|{% if order.total == 1200 %}equal{% endif %}|{{ order.total | plus: 1 }}|{{ order.total }}|{{ order.total.amount }} {{ order.total.currency }}|{{ order.total | json }}", WithLocale("zh-TW"))
            .Should().Be("big|equal|1201|$1,200.00|1200 TWD|{&quot;amount&quot;:1200,&quot;currency&quot;:&quot;TWD&quot;}");
    }

    [Fact]
    public void A_flow_condition_compares_money_by_its_amount()
    {
        var model = WithLocale("en");
        LiquidCondition.Compile("order.total >= 1200").Evaluate(model).Should().BeTrue();
        LiquidCondition.Compile("order.total > 1200").Evaluate(model).Should().BeFalse();
        LiquidCondition.Compile("order.lines | map: 'sku' | size > 0").Evaluate(model).Should().BeTrue();
    }

    [Fact]
    public void Plain_number_with_a_currency_argument_is_formatted_as_money()
    {
        Render("{{ 1200 | money: 'TWD' }}", WithLocale("en")).Should().Be("TWD 1,200.00");
        Render("{{ 1200 | money_with_currency: 'TWD' }}", WithLocale("zh-TW")).Should().Be("$1,200.00 TWD");
    }

    [Fact]
    public void Dates_are_shown_in_the_customers_zone_with_unpadded_day()
    {
        // 2026-03-04 17:30 UTC is 5 March 01:30 in Taipei.
        Render("{{ order.placed_at | date: '%-d %B %Y, %H:%M' }}", WithLocale("en")).Should().Be("5 March 2026, 01:30");
        Render("{{ order.placed_at | date: '%Y-%m-%d %H:%M' }}", WithLocale("en", "America/New_York")).Should().Be("2026-03-04 12:30");
    }

    [Fact]
    public void Month_names_follow_the_customers_locale()
    {
        Render("{{ order.placed_at | date: '%B' }}", WithLocale("zh-TW")).Should().Be("3月");
    }

    [Fact]
    public void Locale_falls_back_from_region_to_language_to_default()
    {
        using var dir = new TemplateDirectory().WithTemplate("t", "default").WithTemplate("t", "zh", locale: "zh").WithTemplate("t", "th", locale: "th");
        var renderer = dir.Renderer();
        renderer.Render("t", "zh-TW", WithLocale("zh-TW")).Html.Should().Be("zh");
        renderer.Render("t", "th-TH", WithLocale("th-TH")).Html.Should().Be("th");
        renderer.Render("t", "fr", WithLocale("fr")).Html.Should().Be("default");
    }

    [Fact]
    public void Syntax_error_is_reported_with_file_and_line()
    {
        using var dir = new TemplateDirectory().WithTemplate("t", "line one\n{% if customer.first_name %}\nno end");
        var diagnostics = TemplateValidator.Validate(dir.Options());
        diagnostics.Should().Contain(d => d.Severity == TemplateDiagnosticSeverity.Error && d.File == "t/default/html.liquid" && d.Line >= 2);
    }

    [Fact]
    public void Unknown_variable_and_unknown_filter_are_errors_with_position()
    {
        using var dir = new TemplateDirectory().WithTemplate("t", "{% assign x = 1 %}{{ x }}\n{{ custmer.first_name }} {{ shop.name | shout }}");
        var act = () => dir.Renderer();
        var errors = act.Should().Throw<TemplateValidationException>().Which.Diagnostics;
        errors.Should().Contain(d => d.Message.Contains("custmer") && d.Line == 2 && d.Column == 4);
        errors.Should().Contain(d => d.Message.Contains("shout") && d.Line == 2);
        errors.Should().NotContain(d => d.Message.Contains("'x'"));
    }

    [Fact]
    public void Marketing_template_without_unsubscribe_link_is_refused()
    {
        using var dir = new TemplateDirectory().WithTemplate("t", "<p>Buy now, {{ shop.postal_address }}</p>")
            .With("t/template.json", "{ \"category\": \"marketing\", \"layout\": null }");
        var act = () => dir.Renderer();
        act.Should().Throw<TemplateValidationException>().WithMessage("*unsubscribe*");
    }

    [Fact]
    public void Unsupported_tag_is_refused_with_what_to_write_instead()
    {
        using var dir = new TemplateDirectory().WithTemplate("t", "<p>hi</p>\n{% form 'contact' %}x{% endform %}");
        TemplateValidator.Validate(dir.Options()).Should().ContainSingle()
            .Which.Should().Match<TemplateDiagnostic>(d => d.Line == 2 && d.Message.Contains("{% form %}") && d.Message.Contains("link to a page"));
    }

    [Fact]
    public void Tablerow_renders_table_rows_as_shopify_liquid_does()
    {
        Render("{% tablerow p in order.lines %}{{ p.sku }}{% endtablerow %}", WithLocale("en"))
            .Should().Be("<tr class=\"row1\">\n<td class=\"col1\">starter-kit</td></tr>\n");
    }

    [Theory]
    [InlineData("starter-kit-checkin")]
    [InlineData("milestone-congratulation")]
    [InlineData("service-recovery-apology")]
    public void Shipped_defaults_render_in_all_four_locales(string name)
    {
        var renderer = new LiquidEmailTemplateRenderer(new TemplateOptions());
        renderer.Diagnostics.Should().NotContain(d => d.Severity == TemplateDiagnosticSeverity.Error);
        foreach (var (locale, marker) in new[] { ("en", "team"), ("zh-TW", "團隊"), ("zh-CN", "团队"), ("th", "ทีมงาน") })
        {
            var email = renderer.Render(name, locale, TemplateDirectory.Model("Mei", locale));
            email.Subject.Should().NotBeNullOrWhiteSpace();
            email.Html.Should().Contain(marker).And.Contain("1 Tea Road, Taipei").And.Contain("https://leaf.example/u?t=1&amp;x=2");
            email.Text.Should().Contain("(https://leaf.example/u?t=1&x=2)");
        }
    }

    [Fact]
    public void Directory_template_overrides_the_shipped_default_of_the_same_name()
    {
        using var dir = new TemplateDirectory().WithTemplate("starter-kit-checkin", "mine");
        var renderer = new LiquidEmailTemplateRenderer(dir.Options(o => o.IncludeShippedDefaults = true));
        renderer.Render("starter-kit-checkin", "zh-TW", WithLocale("zh-TW")).Html.Should().Be("mine");
        renderer.Exists("milestone-congratulation").Should().BeTrue();
    }

    [Fact]
    public void Conditions_evaluate_against_the_model()
    {
        LiquidCondition.Compile("order.total > 1000 and customer.locale == \"zh-TW\"").Evaluate(WithLocale("zh-TW")).Should().BeTrue();
        LiquidCondition.Compile("order.total > 1000 and customer.locale == \"zh-TW\"").Evaluate(WithLocale("th")).Should().BeFalse();
        LiquidCondition.Compile("order.lines | where: \"sku\", \"starter-kit\" | size > 0").Evaluate(WithLocale("en")).Should().BeTrue();
        LiquidCondition.Compile("order.lines | where: \"sku\", \"other\" | size > 0").Evaluate(WithLocale("en")).Should().BeFalse();
    }

    [Fact]
    public void Condition_with_unknown_variable_is_refused_at_compile_time()
    {
        var act = () => LiquidCondition.Compile("ordr.total > 1000");
        act.Should().Throw<TemplateValidationException>().WithMessage("*ordr*");
    }
}
