using Loyalty.Email;
using Loyalty.Events;
using Loyalty.IntegrationTests.Hosting;
using Loyalty.IntegrationTests.Infrastructure;

namespace Loyalty.IntegrationTests.EmailEngine;

/// <summary>Acceptance (issue 24): a template's style block reaches the real SMTP server inlined on the elements.</summary>
[Collection("smtp")]
public sealed class HtmlEmailAcceptanceTests : IDisposable
{
    private static readonly DateTimeOffset Now = new(2026, 3, 1, 2, 0, 0, TimeSpan.Zero);
    private readonly EngineHarness _h;

    public HtmlEmailAcceptanceTests(SmtpServerFixture smtp)
    {
        smtp.Clear();
        _h = new EngineHarness(smtp, Now);
        _h.SimpleTemplate("styled", "transactional", "Hello {{ customer.first_name }}",
            "<html><head><style>.cta { background: #2a5d3b; color: #ffffff; } @media (max-width: 600px) { .cta { display: block; } }</style></head>"
            + "<body><p>Hi {{ customer.first_name }}</p><a class=\"cta\" href=\"{{ shop.url }}\">Visit us</a></body></html>");
    }

    public void Dispose() => _h.Dispose();

    [Fact]
    public async Task A_mail_with_a_style_rule_arrives_with_the_rule_inlined_on_the_element_and_its_media_query_in_the_head()
    {
        using var host = await LoyaltyTestHost.StartAsync(_h.Settings(email => email
            .AddFlow("styled", flow => flow.On("StyledMail").Transactional().Send("styled"))));
        await EngineHarness.PublishAsync(host, EngineHarness.Custom("StyledMail", "styled:1", "c-1", Now, EngineHarness.Customer("mei@example.com")));

        await EngineHarness.DispatchAsync(host);

        var message = (await _h.Smtp.WaitForMessagesAsync(1, EngineHarness.MailTimeout)).Single();
        message.HtmlBody.Should().Contain("<a class=\"cta\" href=\"https://shop.example/\" style=\"background: #2a5d3b;color: #ffffff\">Visit us</a>")
            .And.Contain("@media (max-width: 600px)").And.NotContain(".cta { background");
        message.TextBody.Should().Contain("Visit us (https://shop.example/)");
    }
}
