using System.Text;
using Loyalty.Email.Templates;
using Loyalty.EntityFrameworkCore;
using Loyalty.IntegrationTests.Hosting;
using Loyalty.IntegrationTests.Infrastructure;
using Loyalty.Stores;
using Loyalty.Validation;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MimeKit;

namespace Loyalty.IntegrationTests.EmailEngine;

/// <summary>
/// Acceptance: a broken template stops start-up with file and line; a <c>&lt;script&gt;</c> in a name arrives
/// HTML-encoded; CR/LF in a name never produces a header.
/// </summary>
[Collection("smtp")]
public sealed class StartupAndInjectionAcceptanceTests : IDisposable
{
    private static readonly DateTimeOffset Start = new(2026, 3, 2, 10, 0, 0, TimeSpan.FromHours(8));
    private readonly EngineHarness _h;

    public StartupAndInjectionAcceptanceTests(SmtpServerFixture smtp)
    {
        smtp.Clear();
        _h = new EngineHarness(smtp, Start);
    }

    public void Dispose() => _h.Dispose();

    private TestHostSettings Settings() => _h.Settings(email => email
        .AddFlow("hello", flow => flow.On("hello").Transactional().Send("hello")));

    private async Task<string> StartupErrorAsync()
    {
        var act = async () =>
        {
            using var host = await LoyaltyTestHost.StartAsync(Settings());
        };
        var thrown = (await act.Should().ThrowAsync<Exception>()).Which;
        var validation = thrown as TemplateValidationException ?? thrown.InnerException as TemplateValidationException
            ?? (thrown as AggregateException)?.InnerExceptions.OfType<TemplateValidationException>().FirstOrDefault();
        validation.Should().NotBeNull("a broken template must stop the host with a template error, not {0}", thrown);
        return validation!.Message;
    }

    [Fact]
    public async Task A_template_with_a_syntax_error_stops_start_up_with_file_and_line()
    {
        _h.SimpleTemplate("hello", "transactional", "Hello", "<p>Hi {{ customer.first_name }}</p>\n<p>{% if customer.first_name %}unclosed</p>\n");

        var message = await StartupErrorAsync();

        message.Should().Contain("hello/default/html.liquid:2:");
    }

    [Fact]
    public async Task A_template_with_an_unknown_variable_stops_start_up_with_file_and_line()
    {
        _h.SimpleTemplate("hello", "transactional", "Hello", "<p>Hi</p>\n<p>{{ custmer.first_name }}</p>\n");

        var message = await StartupErrorAsync();

        message.Should().Contain("hello/default/html.liquid:2:").And.Contain("custmer");
    }

    [Fact]
    public async Task A_marketing_template_without_an_unsubscribe_link_stops_start_up_naming_the_file()
    {
        _h.Template("hello/template.json", """{ "category": "marketing", "layout": null }""")
            .Template("hello/default/subject.liquid", "Hello")
            .Template("hello/default/html.liquid", "<p>Hi {{ customer.first_name }}</p>\n<p>{{ shop.postal_address }}</p>\n");

        var message = await StartupErrorAsync();

        // The finding is about the whole file: it points where a footer belongs (the closing body tag, else the last line).
        message.Should().Contain("hello/default/html.liquid:2:1: error: marketing template without an unsubscribe link");
    }

    [Fact]
    public async Task A_script_tag_in_a_customer_name_arrives_html_encoded()
    {
        _h.SimpleTemplate("hello", "transactional", "Hello {{ customer.first_name }}", "<p>Hi {{ customer.first_name }}</p>");
        using var host = await LoyaltyTestHost.StartAsync(Settings());
        await EngineHarness.PublishAsync(host, EngineHarness.Custom("hello", "hello-1", "cust-x", Start, EngineHarness.Customer("x@example.com", "<script>alert(1)</script>")));

        await EngineHarness.DispatchAsync(host);

        var message = (await _h.Smtp.WaitForMessagesAsync(1, EngineHarness.MailTimeout)).Single();
        message.HtmlBody.Should().Contain("<p>Hi &lt;script&gt;alert(1)&lt;/script&gt;</p>").And.NotContain("<script>");
    }

    [Fact]
    public async Task A_name_with_cr_lf_is_refused_at_the_door()
    {
        _h.SimpleTemplate("hello", "transactional", "Hello {{ customer.first_name }}", "<p>Hi {{ customer.first_name }}</p>");
        using var host = await LoyaltyTestHost.StartAsync(Settings());

        var act = () => EngineHarness.PublishAsync(host, EngineHarness.Custom("hello", "hello-1", "cust-x", Start, EngineHarness.Customer("x@example.com", "Mei\r\nBcc: evil@example.com")));

        (await act.Should().ThrowAsync<EventValidationException>()).Which.Problems.Should().Contain(p => p.Field == "Customer.FirstName");
        (await EngineHarness.StepsAsync(host)).Should().BeEmpty();
    }

    [Fact]
    public async Task A_cr_lf_name_written_straight_into_the_store_never_becomes_a_header_on_the_wire()
    {
        _h.SimpleTemplate("hello", "transactional", "Hello {{ customer.first_name }}", "<p>Hi {{ customer.first_name }}</p>");
        using var host = await LoyaltyTestHost.StartAsync(Settings());
        await using (var scope = host.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<LoyaltyDbContext>();
            db.Customers.Add(new LoyaltyCustomer
            {
                CustomerId = "cust-x",
                Email = "x@example.com",
                NormalizedEmail = "x@example.com",
                FirstName = "Mei\r\nBcc: evil@example.com",
                LastName = "Lin\nX-Injected: yes",
                Locale = "en",
                TimeZone = "Asia/Taipei",
                CreatedAt = Start,
                UpdatedAt = Start,
            });
            await db.SaveChangesAsync();
        }

        // No snapshot: the customer as stored is the one mailed.
        await EngineHarness.PublishAsync(host, EngineHarness.Custom("hello", "hello-1", "cust-x", Start));
        await EngineHarness.DispatchAsync(host);

        await _h.Smtp.WaitForMessagesAsync(1, EngineHarness.MailTimeout);
        var raw = EngineHarness.RawMessages(_h.Smtp).Single();
        var text = Encoding.UTF8.GetString(raw);
        var headerBlock = text[..text.IndexOf("\r\n\r\n", StringComparison.Ordinal)];
        var headerNames = headerBlock.Split("\r\n").Where(l => l.Length > 0 && !char.IsWhiteSpace(l[0])).Select(l => l[..l.IndexOf(':', StringComparison.Ordinal)]).ToList();
        headerNames.Should().NotContain(n => n.Equals("Bcc", StringComparison.OrdinalIgnoreCase) || n.Equals("X-Injected", StringComparison.OrdinalIgnoreCase));
        headerNames.Count(n => n.Equals("Subject", StringComparison.OrdinalIgnoreCase)).Should().Be(1);

        using var stream = new MemoryStream(raw);
        var message = await MimeMessage.LoadAsync(stream);
        message.Headers.Should().NotContain(h => h.Field.Equals("Bcc", StringComparison.OrdinalIgnoreCase) || h.Field.Equals("X-Injected", StringComparison.OrdinalIgnoreCase));
        message.Headers["X-Envelope-To"].Should().Be("x@example.com", "the server saw one recipient only");
        message.To.Mailboxes.Should().ContainSingle().Which.Address.Should().Be("x@example.com");
        message.Subject.Should().NotContain("\r").And.NotContain("\n");
        message.HtmlBody.Should().Contain("Bcc: evil@example.com", "the name is body text, nothing more");
    }
}
