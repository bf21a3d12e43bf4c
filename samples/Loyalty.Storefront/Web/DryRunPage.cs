using System.Globalization;
using System.Text;
using System.Text.Json;
using Loyalty.Email.Flows;
using Loyalty.Events;
using Loyalty.Referrals;
using Loyalty.Referrals.Reviews;
using Loyalty.Storefront.Data;
using Loyalty.Storefront.Shop;
using Loyalty.Stores;
using Loyalty.Validation;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using static Loyalty.Storefront.Web.Html;

namespace Loyalty.Storefront.Web;

/// <summary>
/// The admin dry-run: pick a customer and an event the shop could publish for them now (a new order, the delivery of
/// their last order, a service problem, a 5-star review) and see, through the library's <see cref="FlowDryRun"/>,
/// which flows they would enter, when each step would fall due, and why the other flows would not start. It reads
/// the database and writes, schedules and sends nothing (the dry run builds its template models for planning, for
/// which Loyalty.Referrals only reads the referral code).
/// </summary>
public static class DryRunPage
{
    /// <summary>The events the page can build, in the order the picker shows them.</summary>
    public static IReadOnlyList<string> EventKinds { get; } = ["starter-kit-order", "refill-order", "last-order-delivered", "service-issue", "five-star-review"];

    /// <summary>The id of every order, issue and review the page makes up; nothing with it is ever stored.</summary>
    public const string SampleId = "DRY-RUN-1";

    public static void Map(IEndpointRouteBuilder app) => app.MapGet("/admin/dry-run", ShowAsync);

    private static async Task<IResult> ShowAsync(
        HttpContext context, StorefrontDbContext db, FlowDryRun dryRun, ShopService shop, IReviewStore reviews, IReferralCodeStore codes,
        IOptions<ReferralOptions> referral, TimeProvider time, string? customerId, string? @event)
    {
        var ct = context.RequestAborted;
        var lang = UiLocaleMiddleware.Of(context);
        string T(string key) => Strings.T(lang, key);
        var customers = await db.ShopCustomers.AsNoTracking().OrderBy(c => c.CreatedAt).ThenBy(c => c.Id).Take(200).ToListAsync(ct);
        customerId = string.IsNullOrWhiteSpace(customerId) ? CustomerId(context) : customerId;
        var kind = EventKinds.Contains(@event ?? "", StringComparer.Ordinal) ? @event! : EventKinds[0];

        var body = new StringBuilder(AdminPages.Nav());
        body.Append(CultureInfo.InvariantCulture, $"<p>{T("dr-intro")}</p>");
        body.Append("<form method=\"get\" action=\"/admin/dry-run\" id=\"dry-run-form\" class=\"card\"><p>");
        body.Append(CultureInfo.InvariantCulture, $"<label>{T("dr-customer")} <select name=\"customerId\" id=\"dry-run-customer\">");
        foreach (var c in customers)
        {
            body.Append(CultureInfo.InvariantCulture, $"<option value=\"{E(c.Id)}\"{(c.Id == customerId ? " selected" : "")}>{E(c.Name)} ({E(c.Id)}, {E(c.Locale)})</option>");
        }

        body.Append(CultureInfo.InvariantCulture, $"</select></label> <label>{T("dr-event")} <select name=\"event\" id=\"dry-run-event\">");
        foreach (var k in EventKinds)
        {
            body.Append(CultureInfo.InvariantCulture, $"<option value=\"{k}\"{(k == kind ? " selected" : "")}>{T("dr-event-" + k)}</option>");
        }

        body.Append(CultureInfo.InvariantCulture, $"</select></label> <button type=\"submit\" id=\"dry-run-submit\">{T("dr-run")}</button></p></form>");

        if (!context.Request.Query.ContainsKey("customerId"))
        {
            return await PageAsync(context, T("dr-title"), body.ToString());
        }

        var customer = customers.FirstOrDefault(c => c.Id == customerId) ?? await db.ShopCustomers.AsNoTracking().FirstOrDefaultAsync(c => c.Id == customerId, ct);
        if (customer is null)
        {
            body.Append(CultureInfo.InvariantCulture, $"<p class=\"placeholder\" id=\"dry-run-problem\">{string.Format(CultureInfo.InvariantCulture, T("dr-no-customer"), E(customerId))}</p>");
            return await PageAsync(context, T("dr-title"), body.ToString(), 404);
        }

        var now = time.GetUtcNow();
        var lastOrder = await db.ShopOrders.AsNoTracking().Where(o => o.CustomerId == customer.Id)
            .OrderByDescending(o => o.PlacedAt).ThenByDescending(o => o.Id).FirstOrDefaultAsync(ct);
        var events = await BuildAsync(kind, customer, lastOrder, now, shop, reviews, codes, referral.Value.Reviews, ct);
        if (events.Count == 0)
        {
            body.Append(CultureInfo.InvariantCulture, $"<p class=\"placeholder\" id=\"dry-run-problem\">{T("dr-needs-order")}</p>");
            return await PageAsync(context, T("dr-title"), body.ToString());
        }

        var zone = ZoneOf(customer.TimeZone);
        for (var i = 0; i < events.Count; i++)
        {
            FlowDryRunReport report;
            try
            {
                report = await dryRun.RunAsync(events[i], ct);
            }
            catch (EventValidationException ex)
            {
                body.Append(CultureInfo.InvariantCulture, $"<p class=\"placeholder\" id=\"dry-run-problem\">{T("dr-refused")} {E(string.Join("; ", ex.Problems.Select(p => $"{p.Field}: {p.Message}")))}</p>");
                break;
            }

            if (i > 0)
            {
                body.Append(CultureInfo.InvariantCulture, $"<h2>{T("dr-follow-on")}</h2>");
            }

            AppendReport(body, report, i == 0 ? "dry-run-report" : "dry-run-follow-on", customer, zone, now, lang);
        }

        return await PageAsync(context, T("dr-title"), body.ToString());
    }

    /// <summary>
    /// The event the shop would publish, and for a delivery the <c>ReviewPromptDue</c> the referral programme would
    /// publish after it (no flow starts on a delivery itself: the review prompt waits for the products' review delay).
    /// Empty when the event needs an order and the customer has none.
    /// </summary>
    private static async Task<IReadOnlyList<LoyaltyEvent>> BuildAsync(
        string kind, ShopCustomer customer, ShopOrder? lastOrder, DateTimeOffset now, ShopService shop, IReviewStore reviews, IReferralCodeStore codes, ReviewOptions reviewOptions, CancellationToken ct)
    {
        switch (kind)
        {
            case "starter-kit-order" or "refill-order":
                var product = Catalogue.Find(kind == "starter-kit-order" ? "starter-kit" : "refill-pack")!;
                var order = new ShopOrder
                {
                    Id = SampleId,
                    CustomerId = customer.Id,
                    PlacedAt = now,
                    Currency = Catalogue.Currency,
                    Total = product.Price,
                    LinesJson = JsonSerializer.Serialize(new List<StoredLine> { new(product.Sku, product.Name, 1, product.Price) }),
                };
                return [shop.OrderPlacedEvent(order, customer, visitorId: null)];
            case "service-issue":
                return
                [
                    new ServiceIssueDetected
                    {
                        EventId = $"service-issue:{SampleId}",
                        OccurredAt = now,
                        CustomerId = customer.Id,
                        IssueId = SampleId,
                        Kind = "late_delivery",
                        Severity = ServiceIssueSeverity.Medium,
                        OrderId = lastOrder?.Id,
                        SuggestedCredit = StorefrontCreditIssuer.CreditFor(ServiceIssueSeverity.Medium),
                        Currency = Catalogue.Currency,
                    },
                ];
        }

        if (lastOrder is null)
        {
            return [];
        }

        if (kind == "five-star-review")
        {
            var sku = ShopService.Lines(lastOrder)[0].Sku;
            var code = (await codes.GetByCustomerAsync(customer.Id, ct)).FirstOrDefault();
            return
            [
                new ReviewSubmitted
                {
                    // The id the shop gives this review, so a review already written shows as such.
                    EventId = $"review:{customer.Id}:{lastOrder.Id}:{sku}",
                    OccurredAt = now,
                    CustomerId = customer.Id,
                    OrderId = lastOrder.Id,
                    Sku = sku,
                    Rating = 5,
                    Text = "Lovely.",
                    ProductName = Catalogue.Find(sku)?.Name ?? sku,
                    ReviewUrl = shop.ProductUrl(sku) + (code is null ? "" : $"?ref={Uri.EscapeDataString(code.Code)}") + "#reviews",
                },
            ];
        }

        var delivered = new OrderDelivered { EventId = $"order-delivered:{lastOrder.Id}", OccurredAt = now, CustomerId = customer.Id, OrderId = lastOrder.Id };
        var request = await reviews.FindRequestAsync(customer.Id, lastOrder.Id, ct);
        if (!reviewOptions.Enabled || lastOrder.DeliveredAt is not null || request is null || request.DeliveredAt is not null)
        {
            return [delivered];
        }

        // The review delay as the referral programme picks it: the longest configured delay of the order's product tags, else the default.
        var delays = request.Products.SelectMany(p => p.Tags.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Where(reviewOptions.DelayByTag.ContainsKey).Select(t => reviewOptions.DelayByTag[t]).ToList();
        var promptAt = now + (delays.Count > 0 ? delays.Max() : reviewOptions.DefaultDelay);
        var prompt = new CustomEvent
        {
            EventId = $"review-prompt:{customer.Id}:{lastOrder.Id}",
            Name = ReviewFlows.ReviewPromptDueEvent,
            CustomerId = customer.Id,
            OccurredAt = now,
            Properties = JsonSerializer.SerializeToElement(new Dictionary<string, object?>
            {
                ["order_id"] = lastOrder.Id,
                ["prompt_at"] = promptAt.ToString("O", CultureInfo.InvariantCulture),
            }),
        };
        return [delivered, prompt];
    }

    private static void AppendReport(StringBuilder body, FlowDryRunReport report, string id, ShopCustomer customer, TimeZoneInfo zone, DateTimeOffset now, string lang)
    {
        string T(string key) => Strings.T(lang, key);
        body.Append(CultureInfo.InvariantCulture, $"<section id=\"{id}\" data-event-type=\"{E(report.EventType)}\" data-event-id=\"{E(report.EventId)}\">");
        body.Append(CultureInfo.InvariantCulture, $"<p class=\"notice\">{T("dr-event-line")} <code>{E(report.EventType)}</code> <code class=\"event-id\">{E(report.EventId)}</code> · {E(customer.Name)} ({E(customer.Id)}, {E(customer.TimeZone)}) · {T("dr-now")} {E(Time(now))}</p>");
        if (report.Milestones.Count > 0)
        {
            body.Append(CultureInfo.InvariantCulture, $"<p class=\"milestones\">{T("dr-milestones")}: {E(string.Join(", ", report.Milestones))}</p>");
        }

        var entered = report.Flows.Where(f => f.WouldEnter).ToList();
        var notEntered = report.Flows.Where(f => !f.WouldEnter).ToList();
        body.Append(CultureInfo.InvariantCulture, $"<h3>{T("dr-would-enter")} ({entered.Count})</h3>");
        if (entered.Count == 0)
        {
            body.Append(CultureInfo.InvariantCulture, $"<p class=\"muted none-entered\">{T("dr-none")}</p>");
        }
        else
        {
            body.Append(CultureInfo.InvariantCulture, $"<table class=\"entered\"><tr><th>{T("dr-flow")}</th><th>{T("dr-on")}</th><th>{T("dr-steps")}</th></tr>");
            foreach (var flow in entered)
            {
                body.Append(CultureInfo.InvariantCulture, $"<tr data-flow=\"{E(flow.FlowId)}\" data-verdict=\"{flow.Verdict}\"><td><strong>{E(flow.FlowId)}</strong></td><td>{E(flow.EventType)}<br><span class=\"muted\">{E(flow.TriggerKey)}</span></td><td><ol>");
                foreach (var step in flow.Steps)
                {
                    var local = TimeZoneInfo.ConvertTime(step.DueAt, zone);
                    body.Append(CultureInfo.InvariantCulture, $"<li class=\"step\" data-step=\"{step.Index}\" data-due=\"{step.DueAt.ToUniversalTime():O}\">");
                    body.Append(CultureInfo.InvariantCulture, $"<strong>{E(Time(step.DueAt))}</strong> ({E(local.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture))} {E(customer.TimeZone)}, {Span(step.DueAt - now, lang)}): {E(step.Action)}");
                    if (step.ExitConditions.Count > 0)
                    {
                        body.Append(CultureInfo.InvariantCulture, $" <span class=\"muted\">({T("dr-exit-when")} {E(string.Join(", ", step.ExitConditions))})</span>");
                    }

                    body.Append("</li>");
                }

                body.Append("</ol></td></tr>");
            }

            body.Append("</table>");
        }

        body.Append(CultureInfo.InvariantCulture, $"<h3>{T("dr-would-not")} ({notEntered.Count})</h3>");
        body.Append(CultureInfo.InvariantCulture, $"<table class=\"not-entered\"><tr><th>{T("dr-flow")}</th><th>{T("dr-outcome")}</th><th>{T("dr-why")}</th></tr>");
        foreach (var flow in notEntered)
        {
            body.Append(CultureInfo.InvariantCulture, $"<tr data-flow=\"{E(flow.FlowId)}\" data-verdict=\"{flow.Verdict}\"><td>{E(flow.FlowId)}</td><td>{T("dr-verdict-" + flow.Verdict)}</td><td class=\"reason\">{E(flow.Reason)}</td></tr>");
        }

        body.Append("</table></section>");
    }

    /// <summary>How long until a due time, for people: "at once", "in 30d", "7 天 2 小時後".</summary>
    private static string Span(TimeSpan until, string lang)
    {
        if (until < TimeSpan.FromMinutes(1))
        {
            return Strings.T(lang, "dr-at-once");
        }

        var zh = lang == "zh-TW";
        var parts = new List<string>();
        if (until.Days > 0)
        {
            parts.Add(zh ? $"{until.Days} 天" : $"{until.Days}d");
        }

        if (until.Hours > 0)
        {
            parts.Add(zh ? $"{until.Hours} 小時" : $"{until.Hours}h");
        }

        if (until.Days == 0 && until.Minutes > 0)
        {
            parts.Add(zh ? $"{until.Minutes} 分鐘" : $"{until.Minutes}m");
        }

        return string.Format(CultureInfo.InvariantCulture, Strings.T(lang, "dr-in"), string.Join(" ", parts));
    }

    private static TimeZoneInfo ZoneOf(string id)
    {
        try
        {
            return TimeZoneInfo.FindSystemTimeZoneById(id);
        }
        catch (TimeZoneNotFoundException)
        {
            return TimeZoneInfo.Utc;
        }
    }
}
