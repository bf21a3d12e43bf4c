using Loyalty.Email;
using Loyalty.Email.Flows;
using Loyalty.Events;
using Loyalty.IntegrationTests.Hosting;
using Loyalty.IntegrationTests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using MimeKit;

namespace Loyalty.IntegrationTests.EmailEngine;

/// <summary>
/// Acceptance: templates render in en, zh-TW, zh-CN and th end to end through the dispatcher, with money and dates
/// correct for USD, TWD, CNY and THB in the received e-mails.
/// </summary>
[Collection("smtp")]
public sealed class LocalisationAcceptanceTests : IDisposable
{
    // 18:30 UTC on 1 March: already 2 March in Taipei, Shanghai and Bangkok, still 1 March in New York.
    private static readonly DateTimeOffset OrderTime = new(2026, 3, 1, 18, 30, 0, TimeSpan.Zero);
    private readonly EngineHarness _h;

    public LocalisationAcceptanceTests(SmtpServerFixture smtp)
    {
        smtp.Clear();
        _h = new EngineHarness(smtp, OrderTime);
        _h.Template("order-thanks/template.json", """{ "category": "transactional", "layout": "default" }""")
            .Template("order-thanks/default/subject.liquid", "Thank you for order {{ order.id }}: {{ order.total | money }}")
            .Template("order-thanks/default/html.liquid", """<p>Hi {{ customer.first_name }}, you paid <b>{{ order.total | money }}</b> on {{ order.placed_at | date: "%B %-d, %Y at %H:%M" }}.</p>""")
            .Template("order-thanks/zh-TW/subject.liquid", "謝謝您的訂單 {{ order.id }}：{{ order.total | money }}")
            .Template("order-thanks/zh-TW/html.liquid", """<p>{{ customer.first_name }} 您好，您於 {{ order.placed_at | date: "%Y年%-m月%-d日 %H:%M" }} 付款 <b>{{ order.total | money }}</b>。</p>""")
            .Template("order-thanks/zh-CN/subject.liquid", "谢谢您的订单 {{ order.id }}：{{ order.total | money }}")
            .Template("order-thanks/zh-CN/html.liquid", """<p>{{ customer.first_name }} 您好，您于 {{ order.placed_at | date: "%Y年%-m月%-d日 %H:%M" }} 付款 <b>{{ order.total | money }}</b>。</p>""")
            .Template("order-thanks/th/subject.liquid", "ขอบคุณสำหรับคำสั่งซื้อ {{ order.id }}: {{ order.total | money }}")
            .Template("order-thanks/th/html.liquid", """<p>สวัสดีค่ะ คุณ{{ customer.first_name }} คุณชำระ <b>{{ order.total | money }}</b> เมื่อ {{ order.placed_at | date: "%-d %B %Y %H:%M" }}</p>""");
    }

    public void Dispose() => _h.Dispose();

    private static OrderPlaced Order(string customerId, string email, string name, string locale, string zone, string currency, decimal total) => new()
    {
        EventId = "order:" + customerId,
        OccurredAt = OrderTime,
        CustomerId = customerId,
        Customer = EngineHarness.Customer(email, name, locale, zone, marketing: false),
        OrderId = "A-" + currency,
        Currency = currency,
        Total = total,
        Lines = [new OrderLine { Sku = "tea", ProductName = "Tea", Quantity = 1, UnitPrice = total }],
    };

    [Fact]
    public async Task Each_locale_gets_its_own_template_with_money_and_dates_of_its_market()
    {
        using var host = await LoyaltyTestHost.StartAsync(_h.Settings(email => email
            .AddFlow("order-thanks", flow => flow.On(EventTypes.OrderPlaced).Transactional().Send("order-thanks"))));
        await EngineHarness.PublishAsync(host, Order("c-us", "ann@example.com", "Ann", "en", "America/New_York", "USD", 12.5m));
        await EngineHarness.PublishAsync(host, Order("c-tw", "mei@example.com.tw", "美玲", "zh-TW", "Asia/Taipei", "TWD", 1200m));
        await EngineHarness.PublishAsync(host, Order("c-cn", "wei@example.cn", "伟", "zh-CN", "Asia/Shanghai", "CNY", 88m));
        await EngineHarness.PublishAsync(host, Order("c-th", "somchai@example.co.th", "สมชาย", "th-TH", "Asia/Bangkok", "THB", 1250m));

        await EngineHarness.DispatchAsync(host);

        var messages = await _h.Smtp.WaitForMessagesAsync(4, EngineHarness.MailTimeout);
        MimeMessage To(string address) => messages.Single(m => m.To.Mailboxes.Single().Address == address);

        var us = To("ann@example.com");
        us.Subject.Should().Be("Thank you for order A-USD: $12.50");
        us.HtmlBody.Should().Contain("you paid <b>$12.50</b> on March 1, 2026 at 13:30.");

        var tw = To("mei@example.com.tw");
        tw.Subject.Should().Be("謝謝您的訂單 A-TWD：$1,200.00");
        tw.HtmlBody.Should().Contain("美玲 您好，您於 2026年3月2日 02:30 付款 <b>$1,200.00</b>。");

        var cn = To("wei@example.cn");
        cn.Subject.Should().Be("谢谢您的订单 A-CNY：¥88.00");
        cn.HtmlBody.Should().Contain("伟 您好，您于 2026年3月2日 02:30 付款 <b>¥88.00</b>。");

        var th = To("somchai@example.co.th");
        th.Subject.Should().Be("ขอบคุณสำหรับคำสั่งซื้อ A-THB: ฿1,250.00");
        th.HtmlBody.Should().Contain("คุณชำระ <b>฿1,250.00</b> เมื่อ 2 มีนาคม 2026 01:30");

        // The shipped layout and footer come along in every locale.
        messages.Should().OnlyContain(m => m.HtmlBody != null && m.HtmlBody.Contains("1 Tea Street, Taipei", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_shipped_service_recovery_apology_speaks_each_customers_language_with_the_credit_in_their_currency()
    {
        using var host = await LoyaltyTestHost.StartAsync(_h.Settings(email => email.AddServiceRecovery(),
            services: s => s.AddSingleton<ICreditIssuer, NoCredit>()));
        (string Locale, string Zone, string Currency, decimal Credit, string Email, string Expected)[] cases =
        [
            ("en", "America/New_York", "USD", 5m, "ann@example.com", "$5.00"),
            ("zh-TW", "Asia/Taipei", "TWD", 150m, "mei@example.com.tw", "$150.00"),
            ("zh-CN", "Asia/Shanghai", "CNY", 30m, "wei@example.cn", "¥30.00"),
            ("th", "Asia/Bangkok", "THB", 100m, "somchai@example.co.th", "฿100.00"),
        ];
        foreach (var c in cases)
        {
            await EngineHarness.PublishAsync(host, new ServiceIssueDetected
            {
                EventId = "issue:" + c.Email,
                OccurredAt = OrderTime,
                CustomerId = c.Email,
                Customer = EngineHarness.Customer(c.Email, "X", c.Locale, c.Zone, marketing: false),
                IssueId = "late-" + c.Currency,
                Kind = "late_delivery",
                Severity = ServiceIssueSeverity.Medium,
                OrderId = "A-1",
                SuggestedCredit = c.Credit,
                Currency = c.Currency,
            });
        }

        await EngineHarness.DispatchAsync(host);

        var messages = await _h.Smtp.WaitForMessagesAsync(4, EngineHarness.MailTimeout);
        foreach (var c in cases)
        {
            messages.Single(m => m.To.Mailboxes.Single().Address == c.Email).HtmlBody.Should().Contain(c.Expected);
        }

        messages.Single(m => m.To.Mailboxes.Single().Address == "mei@example.com.tw").Subject.Should().MatchRegex("[\u4e00-\u9fff]");
        messages.Single(m => m.To.Mailboxes.Single().Address == "wei@example.cn").Subject.Should().MatchRegex("[\u4e00-\u9fff]");
        messages.Single(m => m.To.Mailboxes.Single().Address == "somchai@example.co.th").Subject.Should().MatchRegex("[\u0e00-\u0e7f]");
        messages.Single(m => m.To.Mailboxes.Single().Address == "ann@example.com").Subject.Should().StartWith("We are sorry");
    }

    private sealed class NoCredit : ICreditIssuer
    {
        public Task<string?> IssueAsync(CreditRequest request, CancellationToken cancellationToken) => Task.FromResult<string?>(null);
    }
}
