using System.Net;
using System.Net.Sockets;
using Loyalty.Email.Templates;

namespace Loyalty.Email.Tests.Templates;

/// <summary>The text part made from the HTML's document tree, and CSS from style blocks inlined onto the elements.</summary>
public sealed class HtmlEmailTests
{
    private static RenderedEmail Render(string html, params (string Path, string Text)[] extra)
    {
        using var dir = new TemplateDirectory().WithTemplate("t", html);
        foreach (var (path, text) in extra)
        {
            dir.With(path, text);
        }

        return dir.Renderer().Render("t", "en", TemplateDirectory.Model());
    }

    [Fact]
    public void The_text_part_writes_lists_headings_rows_links_and_images_as_a_reader_expects()
    {
        Render("""
            <h1>Your order {{ order.id }}</h1>
            <ul><li>Tea</li><li>Kettle<ul><li>lid</li></ul></li></ul>
            <ol><li>Open</li><li>Brew</li></ol>
            <table><tr><td>Tea</td><td>NT$100</td></tr><tr><td>Kettle</td><td>NT$900</td></tr></table>
            <p>See <a href="{{ shop.url }}">our shop</a> or <a href="{{ shop.url }}">{{ shop.url }}</a> <img src="x.png" alt="a kettle"></p>
            """).Text.Should().Be(
            "Your order A-1001\n\n- Tea\n- Kettle\n  - lid\n\n1. Open\n2. Brew\n\nTea NT$100\nKettle NT$900\n\nSee our shop (https://leaf.example) or https://leaf.example a kettle");
    }

    [Fact]
    public void The_text_part_drops_outlook_conditional_comments_styles_and_scripts()
    {
        Render("<style>p{color:red}</style><!--[if mso]><table><tr><td>MSO ONLY<![endif]--><p>Hello</p><script>alert(1)</script><!--[if mso]></td></tr></table><![endif]-->")
            .Text.Should().Be("Hello");
    }

    [Fact]
    public void A_style_rule_is_inlined_on_its_element_and_media_queries_stay_in_the_head()
    {
        var html = Render("<html><head><style>p.note { color: #2a5d3b; } @media (max-width: 600px) { p.note { font-size: 18px; } }</style></head><body><p class=\"note\">Hi {{ customer.first_name }}</p></body></html>").Html;

        html.Should().Contain("<p class=\"note\" style=\"color: #2a5d3b\">Hi Mei</p>")
            .And.Contain("<style>@media (max-width: 600px) { p.note { font-size: 18px; } }</style></head>").And.NotContain("p.note { color");
    }

    [Fact]
    public void Mail_without_a_style_block_is_not_rewritten()
    {
        Render("<p>Hi &amp; welcome, {{ customer.first_name }} &middot; <br></p>").Html.Should().Be("<p>Hi &amp; welcome, Mei &middot; <br></p>");
    }

    [Fact]
    public void A_linked_style_sheet_is_never_downloaded()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;

        var html = Render($"<html><head><link rel=\"stylesheet\" href=\"http://127.0.0.1:{port}/mail.css\"><style>p {{ color: red; }}</style></head><body><p>x</p></body></html>").Html;

        html.Should().Contain("<p style=\"color: red\">x</p>");
        listener.Pending().Should().BeFalse("rendering must not open a connection to an address the template names");
    }
}
