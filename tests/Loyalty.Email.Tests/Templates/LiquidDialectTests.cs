using Loyalty.Email.Templates;

namespace Loyalty.Email.Tests.Templates;

/// <summary>Liquid as Shopify integrators write it, through the rewriter and Ruby's operators, end to end.</summary>
public sealed class LiquidDialectTests
{
    private static string Html(string html, params (string Path, string Text)[] extra)
    {
        using var dir = new TemplateDirectory().WithTemplate("t", html);
        foreach (var (path, text) in extra)
        {
            dir.With(path, text);
        }

        return dir.Renderer().Render("t", "en", TemplateDirectory.Model()).Html;
    }

    private static IReadOnlyList<TemplateDiagnostic> Errors(string html)
    {
        using var dir = new TemplateDirectory().WithTemplate("t", html);
        return TemplateValidator.Validate(dir.Options()).Where(d => d.Severity == TemplateDiagnosticSeverity.Error).ToList();
    }

    [Fact]
    public void Render_sees_only_its_arguments_not_the_callers_variables()
    {
        Html(
            "{% assign secret = 'outer' %}{% render 'card', name: customer.first_name %}|{{ secret }}",
            ("_partials/card.liquid", "[{{ name }}{{ secret }}{% assign secret = 'inner' %}]"))
            .Should().Be("[Mei]|outer");
    }

    [Fact]
    public void Include_with_keyword_arguments_passes_them_and_shares_the_callers_variables()
    {
        Html(
            "{% assign greeting = 'Hi' %}{% include 'card', name: customer.first_name, punctuation: '!' %}",
            ("_partials/card.liquid", "{{ greeting }} {{ name }}{{ punctuation }}"))
            .Should().Be("Hi Mei!");
    }

    [Fact]
    public void An_unclosed_block_is_reported_where_it_opens()
    {
        Errors("<p>one</p>\n{% if customer.first_name %}\n<p>two</p>\n{% for l in order.lines %}{% endfor %}\n")
            .Should().ContainSingle().Which.Should().Match<TemplateDiagnostic>(d => d.Line == 2 && d.Column == 1 && d.Message == "{% if %} is never closed: add {% endif %}.");
    }

    [Fact]
    public void Fluids_own_operators_and_filters_outside_liquid_are_refused()
    {
        Errors("{% if customer.first_name startswith 'M' %}x{% endif %}").Should().ContainSingle().Which.Message.Should().Contain("'startswith' is not a Liquid operator");
        Errors("{{ 12 | format_number: 'N2' }}").Should().ContainSingle().Which.Message.Should().StartWith("unknown filter 'format_number'");
    }

    [Fact]
    public void Render_for_renders_the_partial_once_per_item_under_its_alias()
    {
        Html("{% render 'line' for order.lines as l %}", ("_partials/line.liquid", "<li>{{ l.product_name }} x{{ l.quantity }}</li>"))
            .Should().Be("<li>Starter kit x1</li>");
    }

    [Fact]
    public void Render_output_is_encoded_once()
    {
        using var dir = new TemplateDirectory().WithTemplate("t", "{% render 'hi' with customer.first_name as n %}").With("_partials/hi.liquid", "<b>{{ n }}</b>");
        dir.Renderer().Render("t", "en", TemplateDirectory.Model("<script>")).Html.Should().Be("<b>&lt;script&gt;</b>");
    }

    [Fact]
    public void A_partial_that_renders_itself_stops_at_the_recursion_limit()
    {
        var act = () => Html("{% render 'loop' %}", ("_partials/loop.liquid", "x{% render 'loop' %}"));
        act.Should().Throw<TemplateRenderException>().WithMessage("*nested deeper than*");
    }

    [Fact]
    public void A_range_longer_than_the_loop_limit_is_refused_before_it_is_built()
    {
        var act = () => Html("{{ (1..100000000) | join: ',' }}");
        act.Should().Throw<TemplateRenderException>().WithMessage("*loop limit*");
    }

    [Fact]
    public void Liquid_tag_whitespace_control_and_inline_comments_render_like_ruby_liquid()
    {
        Html("<p>\n  {%- liquid\n    # greet the customer\n    assign n = customer.first_name | upcase\n    echo n\n  -%}\n</p>{%# done %}")
            .Should().Be("<p>MEI</p>");
    }

    [Fact]
    public void Case_with_several_values_and_blocks_of_only_whitespace_follow_ruby_liquid()
    {
        Html("{% case order.id %}{% when 'A-1', 'A-1001' %}match{% else %}none{% endcase %}{% if true %}\n  {% assign x = 1 %}\n{% endif %}!")
            .Should().Be("match!");
    }

    [Fact]
    public void Equality_does_not_convert_between_numbers_and_strings()
    {
        Html("{% if 1 == '1' %}same{% else %}different{% endif %} {% if true and false and false or true %}left{% else %}right{% endif %}")
            .Should().Be("different right");
    }

    [Fact]
    public void Lines_stay_right_after_whitespace_control_removed_newlines()
    {
        var errors = Errors("{%- if true -%}\n\n\n{%- endif -%}\n{{ nosuch }}");
        errors.Should().ContainSingle(d => d.Message.Contains("nosuch")).Which.Line.Should().Be(5);
    }

    [Fact]
    public void An_unclosed_comment_is_refused_with_its_line()
    {
        var errors = Errors("<p>hi</p>\n{% comment %} never closed");
        errors.Should().ContainSingle().Which.Should().Match<TemplateDiagnostic>(d => d.Line == 2 && d.Message.Contains("endcomment"));
    }

    [Fact]
    public void Ifchanged_renders_its_block_when_the_value_changed_as_in_shopify_liquid()
    {
        Html("{% for i in (1..4) %}{% assign half = i | divided_by: 2 %}{% ifchanged %}{{ half }}{% endifchanged %}{% endfor %}|{% ifchanged %}{{ customer.first_name }}{% endifchanged %}")
            .Should().Be("012|Mei");
    }

    [Fact]
    public void Forloop_parentloop_reads_the_outer_loop()
    {
        Html("{% for l in order.lines %}{% for t in l.tags %}{{ forloop.parentloop.index }}:{{ t }}{% endfor %}{% endfor %}").Should().Be("1:kit");
    }

    [Fact]
    public void A_misspelt_member_is_an_error_that_names_the_member_meant()
    {
        Errors("<p>Hi {{ customer.frist_name }}</p>\n{% for line in order.lines %}{{ line.product_nmae }}{% endfor %}")
            .Select(d => d.ToString()).Should().BeEquivalentTo(
                "t/default/html.liquid:1:19: error: unknown member 'frist_name' of customer (did you mean 'first_name'?): customer has email, first_name, id, last_name, locale, name, order_count, time_zone.",
                "t/default/html.liquid:2:38: error: unknown member 'product_nmae' of line (did you mean 'product_name'?): line has line_total, product_name, quantity, sku, tags, unit_price, url.");
    }

    [Fact]
    public void Blocks_nested_deeper_than_liquids_limit_are_refused_not_crashing()
    {
        var deep = string.Concat(Enumerable.Repeat("{% if true %}", 5000)) + "x" + string.Concat(Enumerable.Repeat("{% endif %}", 5000));
        Errors(deep).Should().NotBeEmpty();
    }

    [Fact]
    public void A_marketing_template_without_an_unsubscribe_link_is_reported_at_its_closing_body_tag()
    {
        using var dir = new TemplateDirectory()
            .WithTemplate("m", "<html>\n<body>\n<p>Hi</p>\n{{ shop.postal_address }}\n</body>\n</html>")
            .With("m/template.json", "{ \"category\": \"marketing\", \"layout\": null }");
        TemplateValidator.Validate(dir.Options()).Should().ContainSingle(d => d.Message.Contains("unsubscribe"))
            .Which.Should().Match<TemplateDiagnostic>(d => d.Line == 5 && d.File.EndsWith("html.liquid"));
    }

    [Fact]
    public void A_marketing_template_without_a_body_tag_is_reported_at_its_last_line()
    {
        using var dir = new TemplateDirectory()
            .WithTemplate("m", "<p>Hi</p>\n<a href=\"{{ links.unsubscribe }}\">unsubscribe</a>\n<p>bye</p>\n")
            .With("m/template.json", "{ \"category\": \"marketing\", \"layout\": null }");
        TemplateValidator.Validate(dir.Options()).Should().ContainSingle(d => d.Message.Contains("postal address"))
            .Which.Line.Should().Be(3);
    }

    [Fact]
    public void What_one_part_assigns_never_reaches_another_part_of_the_same_email()
    {
        using var dir = new TemplateDirectory().WithTemplate(
            "t",
            "{% assign shop = 'replaced' %}{% increment customer %}{{ shop }}",
            subject: "{{ shop.name }} for {{ customer.first_name }}");
        var email = dir.Renderer().Render("t", "en", TemplateDirectory.Model());
        email.Html.Should().Be("0replaced");
        email.Subject.Should().Be("Leaf & Co for Mei");
    }
}
