using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Loyalty.Storefront.Tests.Infrastructure;

namespace Loyalty.Storefront.Tests.Telemetry;

/// <summary>The storefront's Prometheus page (OpenTelemetry) shows Loyalty's intake, send and delivery counters.</summary>
[Collection(StorefrontCollection.Name)]
public sealed partial class MetricsPageTests(StorefrontFixture storefront)
{
    private HttpClient Client => storefront.Client;

    [Fact]
    public async Task After_an_order_and_an_apology_the_metrics_page_counts_the_intake_the_send_and_the_delivery()
    {
        var before = await ScrapeAsync();
        var (customerId, email) = await storefront.CreateCustomerAsync("metrics");
        (await Client.PostAsJsonAsync("api/orders", new { id = $"{customerId}-o1", customerId, lines = new[] { new { sku = "refill-pack", quantity = 1 } } }))
            .StatusCode.Should().Be(HttpStatusCode.Created);
        (await Client.PostAsJsonAsync("api/service-issues", new { id = $"{customerId}-late", customerId, orderId = $"{customerId}-o1", kind = "late_delivery", severity = "high" }))
            .StatusCode.Should().Be(HttpStatusCode.Accepted);
        await storefront.DispatchAsync();
        await storefront.WaitForMailAsync(email, m => m.GetProperty("subject").GetString()!.Contains("sorry", StringComparison.OrdinalIgnoreCase));

        // The counters are recorded just after the message is written and the result is stored: poll the page (an
        // external effect), with a timeout.
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        string page;
        while (true)
        {
            page = await ScrapeAsync();
            if ((Sum(page, "loyalty_email_deliveries_total", "outcome=\"delivered\"") > Sum(before, "loyalty_email_deliveries_total", "outcome=\"delivered\"")
                    && Sum(page, "loyalty_email_steps_completed_total", "outcome=\"sent\"") > Sum(before, "loyalty_email_steps_completed_total", "outcome=\"sent\""))
                || DateTime.UtcNow > until)
            {
                break;
            }

            await Task.Delay(200);
        }

        Sum(page, "loyalty_email_events_total", "type=\"OrderPlaced\"").Should().BeGreaterThan(Sum(before, "loyalty_email_events_total", "type=\"OrderPlaced\""), page);
        Sum(page, "loyalty_email_events_total", "type=\"ServiceIssueDetected\"").Should().BeGreaterThan(Sum(before, "loyalty_email_events_total", "type=\"ServiceIssueDetected\""), page);
        Sum(page, "loyalty_email_steps_completed_total", "outcome=\"sent\"").Should().BeGreaterThan(Sum(before, "loyalty_email_steps_completed_total", "outcome=\"sent\""), page);
        Sum(page, "loyalty_email_deliveries_total", "outcome=\"delivered\"").Should().BeGreaterThan(Sum(before, "loyalty_email_deliveries_total", "outcome=\"delivered\""), page);
        page.Should().Contain("# TYPE http_server_request_duration_seconds histogram", "ASP.NET Core's own metrics are exported too");
    }

    [Fact]
    public async Task The_metrics_page_is_prometheus_text()
    {
        using var response = await Client.GetAsync("metrics");
        response.StatusCode.Should().Be(HttpStatusCode.OK);
        response.Content.Headers.ContentType!.MediaType.Should().Be("text/plain");
        (await response.Content.ReadAsStringAsync()).Should().Contain("# TYPE loyalty_email_events_total counter");
    }

    private async Task<string> ScrapeAsync() => await Client.GetStringAsync("metrics");

    /// <summary>The sum of a counter's samples whose labels contain <paramref name="label"/>.</summary>
    private static double Sum(string page, string metric, string label) => Sample().Matches(page)
        .Where(m => m.Groups["name"].Value == metric && m.Groups["labels"].Value.Contains(label, StringComparison.Ordinal))
        .Sum(m => double.Parse(m.Groups["value"].Value, CultureInfo.InvariantCulture));

    [GeneratedRegex(@"^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)\{(?<labels>[^}]*)\} (?<value>[0-9.eE+-]+)", RegexOptions.Multiline)]
    private static partial Regex Sample();
}
