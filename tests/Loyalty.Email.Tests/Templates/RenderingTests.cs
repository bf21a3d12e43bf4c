using System.Diagnostics;
using Loyalty.Email.Templates;

namespace Loyalty.Email.Tests.Templates;

public sealed class RenderingTests
{
    private static string Html(string html, TemplateModel? model = null, Action<TemplateOptions>? configure = null, params (string Path, string Text)[] extra)
    {
        using var dir = new TemplateDirectory().WithTemplate("t", html);
        foreach (var (path, text) in extra)
        {
            dir.With(path, text);
        }

        return dir.Renderer(configure).Render("t", "en", model ?? TemplateDirectory.Model()).Html;
    }

    [Fact]
    public void Customer_name_with_script_tag_is_html_encoded()
    {
        Html("<p>Hi {{ customer.first_name }}</p>", TemplateDirectory.Model("<script>alert(1)</script>"))
            .Should().Be("<p>Hi &lt;script&gt;alert(1)&lt;/script&gt;</p>");
    }

    [Fact]
    public void Raw_filter_writes_trusted_html_unencoded()
    {
        Html("{% assign b = '<b>bold</b>' %}{{ b | raw }} {{ b }}").Should().Be("<b>bold</b> &lt;b&gt;bold&lt;/b&gt;");
    }

    [Fact]
    public void Captured_block_is_not_encoded_twice()
    {
        Html("{% capture greeting %}<em>{{ shop.name }}</em>{% endcapture %}{{ greeting }}").Should().Be("<em>Leaf &amp; Co</em>");
    }

    [Fact]
    public void Subject_is_one_line_without_control_characters()
    {
        using var dir = new TemplateDirectory().WithTemplate("t", "x", subject: "Hi {{ customer.first_name }}\r\nBcc: evil@example.com");
        dir.Renderer().Render("t", "en", TemplateDirectory.Model("Mei\nX")).Subject.Should().Be("Hi Mei X Bcc: evil@example.com");
    }

    [Fact]
    public void Subject_is_not_html_encoded()
    {
        using var dir = new TemplateDirectory().WithTemplate("t", "x", subject: "{{ shop.name }}");
        dir.Renderer().Render("t", "en", TemplateDirectory.Model()).Subject.Should().Be("Leaf & Co");
    }

    [Fact]
    public void Text_part_is_generated_from_html_keeping_link_urls()
    {
        using var dir = new TemplateDirectory().WithTemplate("t", "<p>Hello   {{ customer.first_name }}</p><p>See <a href=\"{{ shop.url }}\">our shop</a>.<br>Bye</p>");
        dir.Renderer().Render("t", "en", TemplateDirectory.Model()).Text.Should().Be("Hello Mei\n\nSee our shop (https://leaf.example).\nBye");
    }

    [Fact]
    public void Layout_wraps_the_body_without_encoding_it_and_partials_are_included()
    {
        using var dir = new TemplateDirectory()
            .With("t/default/subject.liquid", "s").With("t/default/html.liquid", "<p>{{ customer.first_name }}</p>")
            .With("t/template.json", "{ \"category\": \"marketing\", \"layout\": \"main\" }")
            .With("_layouts/main.liquid", "<main>{{ content }}</main>{% include 'footer' %}")
            .With("_partials/footer.liquid", "<a href=\"{{ links.unsubscribe }}\">u</a> {{ shop.postal_address }}");
        dir.Renderer().Render("t", "en", TemplateDirectory.Model("<i>")).Html
            .Should().Be("<main><p>&lt;i&gt;</p></main><a href=\"https://leaf.example/u?t=1&amp;x=2\">u</a> 1 Tea Road, Taipei");
    }

    [Fact]
    public void Endless_loop_is_stopped_with_a_render_exception_in_bounded_time()
    {
        var watch = Stopwatch.StartNew();
        var act = () => Html("{% for i in (1..100000000) %}{% for j in (1..100000000) %}x{% endfor %}{% endfor %}");
        act.Should().Throw<TemplateRenderException>();
        watch.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public void Deep_include_recursion_is_stopped()
    {
        var act = () => Html("{% include 'loop' %}", extra: ("_partials/loop.liquid", "a{% include 'loop' %}"));
        act.Should().Throw<TemplateRenderException>();
    }

    [Fact]
    public void Output_amplification_is_stopped()
    {
        var act = () => Html("{% assign s = 'xxxxxxxxxx' %}{% for i in (1..30) %}{% assign s = s | append: s %}{% endfor %}{{ s }}");
        act.Should().Throw<TemplateRenderException>();
    }

    private const string ClrMembers = "[{{ customer.GetType }}][{{ customer.first_name.Length }}][{{ order.placed_at.Ticks }}][{{ order.total.GetHashCode }}]";

    [Fact]
    public void Clr_members_of_model_values_are_unknown_members_at_validation()
    {
        using var dir = new TemplateDirectory().WithTemplate("t", ClrMembers);
        TemplateValidator.Validate(dir.Options()).Select(d => d.Message).Should().BeEquivalentTo(
            "unknown member 'GetType' of customer: customer has email, first_name, id, last_name, locale, name, order_count, time_zone.",
            "unknown member 'Length' of customer.first_name: customer.first_name is a plain value without members.",
            "unknown member 'Ticks' of order.placed_at: order.placed_at is a plain value without members.",
            "unknown member 'GetHashCode' of order.total: order.total has amount, currency.");
    }

    [Fact]
    public void Clr_members_of_model_values_are_not_reachable_when_validation_only_warns()
    {
        Html(ClrMembers, configure: o => o.UnknownVariablesAreErrors = false).Should().Be("[][][][]");
    }

    [Fact]
    public void Include_of_a_path_outside_the_partials_is_refused_at_validation_when_written_and_at_render_when_computed()
    {
        using var written = new TemplateDirectory().WithTemplate("t", "{% include '../../etc/passwd' %}");
        TemplateValidator.Validate(written.Options()).Should().ContainSingle().Which.Message.Should().Be("no partial named '../../etc/passwd' in _partials.");

        var computed = () => Html("{% include customer.first_name %}", TemplateDirectory.Model(firstName: "../../etc/passwd"));
        computed.Should().Throw<TemplateRenderException>().WithMessage("*'../../etc/passwd' is refused*_partials*");
    }

    [Fact]
    public void Model_values_of_clr_types_are_refused()
    {
        var model = new TemplateModel(new Dictionary<string, object?> { ["customer"] = new Version(1, 0) }, "UTC", "en");
        var act = () => Html("{{ customer }}", model);
        act.Should().Throw<TemplateRenderException>();
    }
}
