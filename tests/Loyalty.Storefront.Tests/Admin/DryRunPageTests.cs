using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Loyalty.Storefront.Tests.Infrastructure;

namespace Loyalty.Storefront.Tests.Admin;

/// <summary>The admin dry-run page over the real storefront: the library's FlowDryRun for a stored customer, rendered.</summary>
[Collection(StorefrontCollection.Name)]
public sealed partial class DryRunPageTests(StorefrontFixture storefront)
{
    private HttpClient Client => storefront.Client;

    [Fact]
    public async Task A_first_starter_kit_order_would_schedule_the_check_in_in_30_days_and_the_first_order_congratulation_at_once_and_writes_nothing()
    {
        var (customerId, _) = await storefront.CreateCustomerAsync("dry-first");

        var before = await NowAsync();
        var html = await Client.GetStringAsync($"admin/dry-run?customerId={customerId}&event=starter-kit-order");
        var after = await NowAsync();

        var report = Section(html, "dry-run-report");
        report.Should().Contain("data-event-type=\"OrderPlaced\"").And.Contain("order-placed:DRY-RUN-1");
        report.Should().Contain("first-order", "a customer's first order reaches the first-order milestone");
        var rows = Rows(report);
        var checkIn = rows["starter-kit-checkin"];
        checkIn.Verdict.Should().Be("Entered");
        checkIn.Html.Should().Contain("starter-kit-checkin").And.Contain("ordered-again");
        checkIn.Due.Should().ContainSingle().Which.Should().BeOnOrAfter(before.AddDays(30)).And.BeOnOrBefore(after.AddDays(30));
        rows["milestone-congratulation"].Verdict.Should().Be("Entered");
        rows["milestone-congratulation"].Due.Should().ContainSingle().Which.Should().BeOnOrAfter(before).And.BeOnOrBefore(after);
        rows["service-recovery-apology"].Verdict.Should().Be("TriggerMismatch");
        rows["service-recovery-apology"].Html.Should().Contain("ServiceIssueDetected");
        rows["review-thanks-share"].Verdict.Should().Be("TriggerMismatch");

        (await Client.GetFromJsonAsync<JsonElement[]>($"api/sends?customerId={customerId}")).Should().BeEmpty("a dry run schedules nothing");
        (await Client.GetFromJsonAsync<JsonElement>($"api/customers/{customerId}")).GetProperty("orders").GetArrayLength().Should().Be(0);
    }

    [Fact]
    public async Task For_a_customer_with_an_order_a_delivery_starts_no_flow_itself_but_the_review_prompt_it_leads_to_is_shown_and_once_delivered_it_is_a_duplicate()
    {
        var (customerId, _) = await storefront.CreateCustomerAsync("dry-order");
        var orderId = $"{customerId}-o1";
        (await Client.PostAsJsonAsync("api/orders", new { id = orderId, customerId, lines = new[] { new { sku = "starter-kit", quantity = 1 } } }))
            .StatusCode.Should().Be(HttpStatusCode.Created);

        // A second order is no first-order milestone any more.
        var again = Rows(Section(await Client.GetStringAsync($"admin/dry-run?customerId={customerId}&event=starter-kit-order"), "dry-run-report"));
        again["starter-kit-checkin"].Verdict.Should().Be("Entered");
        again["milestone-congratulation"].Verdict.Should().Be("TriggerMismatch");

        var before = await NowAsync();
        var html = await Client.GetStringAsync($"admin/dry-run?customerId={customerId}&event=last-order-delivered");
        var delivery = Section(html, "dry-run-report");
        delivery.Should().Contain("data-event-type=\"OrderDelivered\"").And.Contain($"order-delivered:{orderId}");
        Rows(delivery).Values.Should().OnlyContain(r => r.Verdict == "TriggerMismatch");
        var prompt = Section(html, "dry-run-follow-on");
        prompt.Should().Contain("data-event-type=\"ReviewPromptDue\"");
        var steps = Rows(prompt)["review-prompt"];
        steps.Verdict.Should().Be("Entered");
        steps.Due.Should().HaveCount(2, "the prompt and its reminder");
        steps.Due[0].Should().BeOnOrAfter(before.AddDays(7)).And.BeCloseTo(before.AddDays(7), TimeSpan.FromMinutes(1));
        (steps.Due[1] - steps.Due[0]).Should().Be(TimeSpan.FromDays(5));
        steps.Html.Should().Contain("review-prompt").And.Contain("review-reminder");

        (await Client.PostAsync($"api/orders/{orderId}/deliver", null)).EnsureSuccessStatusCode();
        var delivered = await Client.GetStringAsync($"admin/dry-run?customerId={customerId}&event=last-order-delivered");
        Rows(Section(delivered, "dry-run-report")).Values.Should().OnlyContain(r => r.Verdict == "DuplicateEvent");
        delivered.Should().NotContain("id=\"dry-run-follow-on\"");
    }

    [Fact]
    public async Task A_seeded_customer_would_get_the_service_recovery_credit_and_apology_at_once_shown_in_traditional_chinese()
    {
        var html = await Client.GetStringAsync("admin/dry-run?customerId=mei&event=service-issue&lang=zh-TW");

        html.Should().Contain("顧客會進入的流程").And.Contain("不會啟動的流程").And.Contain("由其他事件觸發");
        var rows = Rows(Section(html, "dry-run-report"));
        var apology = rows["service-recovery-apology"];
        apology.Verdict.Should().Be("Entered");
        apology.Due.Should().HaveCount(2);
        apology.Html.Should().Contain("service-recovery-credit").And.Contain("service-recovery-apology").And.Contain("立即");
        rows["starter-kit-checkin"].Verdict.Should().Be("TriggerMismatch");
    }

    [Fact]
    public async Task An_event_that_needs_an_order_says_so_for_a_customer_without_one_and_an_unknown_customer_is_404()
    {
        var (customerId, _) = await storefront.CreateCustomerAsync("dry-none");
        var html = await Client.GetStringAsync($"admin/dry-run?customerId={customerId}&event=five-star-review");
        html.Should().Contain("id=\"dry-run-problem\"").And.Contain("needs an order").And.NotContain("id=\"dry-run-report\"");

        (await Client.GetAsync("admin/dry-run?customerId=nobody-at-all&event=refill-order")).StatusCode.Should().Be(HttpStatusCode.NotFound);
    }

    private async Task<DateTimeOffset> NowAsync()
        => (await Client.GetFromJsonAsync<JsonElement>("api/dev/clock")).GetProperty("now").GetDateTimeOffset();

    private static string Section(string html, string id)
    {
        var start = html.IndexOf($"<section id=\"{id}\"", StringComparison.Ordinal);
        start.Should().BeGreaterThanOrEqualTo(0, $"the page has a section {id}:\n{html}");
        return html[start..(html.IndexOf("</section>", start, StringComparison.Ordinal) + "</section>".Length)];
    }

    private static Dictionary<string, FlowRow> Rows(string section)
    {
        var rows = new Dictionary<string, FlowRow>(StringComparer.Ordinal);
        foreach (Match row in RowPattern().Matches(section))
        {
            var due = DuePattern().Matches(row.Value).Select(m => DateTimeOffset.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture)).ToList();
            rows[row.Groups["flow"].Value] = new FlowRow(row.Groups["verdict"].Value, due, row.Value);
        }

        return rows;
    }

    private sealed record FlowRow(string Verdict, IReadOnlyList<DateTimeOffset> Due, string Html);

    [GeneratedRegex("<tr data-flow=\"(?<flow>[^\"]+)\" data-verdict=\"(?<verdict>[^\"]+)\">.*?</tr>", RegexOptions.Singleline)]
    private static partial Regex RowPattern();

    [GeneratedRegex("data-due=\"([^\"]+)\"")]
    private static partial Regex DuePattern();
}
