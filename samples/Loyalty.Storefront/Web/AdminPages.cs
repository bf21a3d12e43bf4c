using System.Globalization;
using System.Text;
using Loyalty.Email.Composition;
using Loyalty.Email.Delivery;
using Loyalty.Email.Flows;
using Loyalty.Email.Scheduling;
using Loyalty.Email.Templates;
using Loyalty.Events;
using Loyalty.Storefront.Data;
using Loyalty.Storefront.Demo;
using Loyalty.Storefront.Shop;
using Loyalty.Stores;
using Microsoft.EntityFrameworkCore;
using MimeKit;
using static Loyalty.Storefront.Web.Html;

namespace Loyalty.Storefront.Web;

/// <summary>The admin area: flows, sends, template preview, mailbox, dry-run, Hangfire, the demo clock.</summary>
public static class AdminPages
{
    private static readonly string[] PreviewLocales = ["default", "en", "zh-TW", "zh-CN", "th"];

    /// <summary>The sandbox of a rendered e-mail: no scripts, no same-origin, no network but images.</summary>
    public const string MailContentSecurityPolicy = "sandbox; default-src 'none'; img-src data: https: http:; style-src 'unsafe-inline'; font-src data:";

    public static void Map(IEndpointRouteBuilder app, StorefrontOptions options)
    {
        app.MapGet("/admin", FlowsAsync);
        app.MapGet("/admin/sends", SendsAsync);
        app.MapGet("/admin/templates", TemplatesAsync);
        app.MapGet("/admin/templates/render", RenderTemplate);
        app.MapGet("/admin/mailbox", MailboxAsync);
        app.MapGet("/admin/mailbox/{id}", MessageAsync);
        app.MapGet("/admin/mailbox/{id}/html", MessageHtmlAsync);
        DryRunPage.Map(app);
        app.MapPost("/admin/service-issue", ServiceIssueAsync);
        if (options.DemoClock)
        {
            app.MapPost("/dev/clock", DemoClockAsync);
        }
    }

    /// <summary>The admin area's links, on top of every admin page.</summary>
    public static string Nav() =>
        "<p><a href=\"/admin\">Flows</a> · <a href=\"/admin/sends\">Sends</a> · <a href=\"/admin/templates\">Template preview</a> · " +
        "<a href=\"/admin/mailbox\">Mailbox</a> · <a href=\"/admin/dry-run\">Dry-run</a> · <a href=\"/admin/hangfire\" id=\"hangfire-link\">Hangfire dashboard</a></p>";

    private static async Task<IResult> FlowsAsync(HttpContext context, FlowRegistry flows, StorefrontDbContext db)
    {
        var body = new StringBuilder(Nav());
        body.Append("<p class=\"muted\" id=\"referral-storage\">Referral programme storage: <strong>in the database</strong>, next to the shop's tables " +
            "(Loyalty.EntityFrameworkCore's referral stores): codes, landing visits, attributions, reward states and review requests survive a restart " +
            "like customers, sends and credits.</p>");
        body.Append("<table id=\"flows\"><tr><th>Flow</th><th>Trigger</th><th>Category</th><th>Entry conditions</th><th>Steps</th><th>Re-entry</th><th>Source</th></tr>");
        foreach (var flow in flows.All)
        {
            body.Append(CultureInfo.InvariantCulture, $"<tr><td><strong>{E(flow.Id)}</strong></td><td>{E(flow.Trigger)}</td><td>{E(flow.Category)}{(flow.Priority != 0 ? $" (priority {flow.Priority})" : "")}</td>");
            body.Append(CultureInfo.InvariantCulture, $"<td>{E(string.Join(", ", flow.EntryConditions.Select(c => c.Name)))}</td><td><ol>");
            foreach (var step in flow.Steps)
            {
                body.Append(CultureInfo.InvariantCulture, $"<li>{E(Describe(step.Wait))}: {E(step.Action.Describe())}");
                if (step.ExitConditions.Count > 0)
                {
                    body.Append(CultureInfo.InvariantCulture, $" <span class=\"muted\">(exit when {E(string.Join(", ", step.ExitConditions.Select(c => c.Name)))})</span>");
                }

                body.Append("</li>");
            }

            var reentry = flow.Reentry.Kind == FlowReentryKind.Cooldown ? $"cool-down {flow.Reentry.Cooldown}" : flow.Reentry.Kind.ToString();
            body.Append(CultureInfo.InvariantCulture, $"</ol></td><td>{E(reentry)}</td><td>{E(flow.Source)}</td></tr>");
        }

        body.Append("</table>");
        var customers = await db.ShopCustomers.AsNoTracking().OrderBy(c => c.Id).ToListAsync(context.RequestAborted);
        body.Append("<h2>Simulate a service problem</h2><form method=\"post\" action=\"/admin/service-issue\" class=\"card\"><p><label>Customer <select name=\"customerId\">");
        foreach (var c in customers)
        {
            body.Append(CultureInfo.InvariantCulture, $"<option value=\"{E(c.Id)}\">{E(c.Name)}</option>");
        }

        body.Append("</select></label> <label>Kind <select name=\"kind\"><option>late_delivery</option><option>stream_stutter</option><option>unanswered_question</option></select></label> ");
        body.Append("<label>Severity <select name=\"severity\"><option>low</option><option selected>medium</option><option>high</option></select></label> ");
        body.Append("<label>Order (optional) <input name=\"orderId\" size=\"16\"></label></p><button type=\"submit\">Detect it and apologise</button></form>");
        return await PageAsync(context, "Admin · flows", body.ToString());
    }

    private static string Describe(FlowWait wait)
    {
        if (wait.IsImmediate)
        {
            return "at once";
        }

        var parts = new List<string>();
        if (wait.Duration > TimeSpan.Zero)
        {
            parts.Add(wait.Duration.TotalDays >= 1 && wait.Duration.TotalDays == Math.Floor(wait.Duration.TotalDays)
                ? $"after {wait.Duration.TotalDays:0} days"
                : $"after {wait.Duration}");
        }

        if (wait.BusinessDays > 0)
        {
            parts.Add($"after {wait.BusinessDays} business days");
        }

        if (wait.FromDatePath is { } path)
        {
            parts.Add($"from {path}");
        }

        if (wait.AtLocalTime is { } at)
        {
            parts.Add($"at {at:HH\\:mm} local time");
        }

        return string.Join(", ", parts);
    }

    private static async Task<IResult> ServiceIssueAsync(HttpContext context, ShopService shop)
    {
        var form = await context.Request.ReadFormAsync(context.RequestAborted);
        var id = "ISSUE-" + Guid.NewGuid().ToString("N")[..8].ToUpperInvariant();
        try
        {
            var order = form["orderId"].ToString();
            await shop.ReportServiceIssueAsync(new ServiceIssueInput(id, form["customerId"], order.Length == 0 ? null : order, form["kind"], form["severity"]), context.RequestAborted);
        }
        catch (ShopValidationException ex)
        {
            return await PageAsync(context, "Not saved", $"<p class=\"placeholder\">{E(ex.Message)}</p>", 400);
        }

        return Results.Redirect("/admin/sends?customerId=" + Uri.EscapeDataString(form["customerId"].ToString()));
    }

    private static async Task<IResult> SendsAsync(HttpContext context, IScheduledStepStore steps, FlowRegistry flows, string? customerId, string? state)
    {
        StepState? filter = Enum.TryParse<StepState>(state, ignoreCase: true, out var s) ? s : null;
        var rows = await steps.QueryAsync(new StepQuery { CustomerId = string.IsNullOrWhiteSpace(customerId) ? null : customerId, State = filter, Take = 500 }, context.RequestAborted);
        var body = new StringBuilder(Nav());
        body.Append(CultureInfo.InvariantCulture, $"<form method=\"get\"><label>Customer <input name=\"customerId\" value=\"{E(customerId)}\"></label> <label>State <select name=\"state\"><option value=\"\">any</option>");
        foreach (var st in Enum.GetValues<StepState>())
        {
            body.Append(CultureInfo.InvariantCulture, $"<option{(filter == st ? " selected" : "")}>{st}</option>");
        }

        body.Append("</select></label> <button type=\"submit\">Filter</button></form>");
        body.Append("<table id=\"sends\"><tr><th>State</th><th>Reason</th><th>Customer</th><th>Flow · step</th><th>Action</th><th>Category</th><th>Due</th><th>Next try</th><th>Completed</th><th>Attempts</th></tr>");
        foreach (var r in rows)
        {
            var action = flows.Find(r.FlowId) is { } flow && r.StepIndex < flow.Steps.Count ? flow.Steps[r.StepIndex].Action.Describe() : "(flow removed)";
            body.Append(CultureInfo.InvariantCulture, $"<tr><td class=\"state-{r.State}\">{r.State}</td><td>{E(r.Reason)}</td><td><a href=\"?customerId={Uri.EscapeDataString(r.CustomerId)}\">{E(r.CustomerId)}</a></td>");
            body.Append(CultureInfo.InvariantCulture, $"<td>{E(r.FlowId)} · {r.StepIndex + 1}</td><td>{E(action)}</td><td>{E(r.Category)}</td><td>{Time(r.DueAt)}</td>");
            body.Append(CultureInfo.InvariantCulture, $"<td>{(r.IsTerminal ? "" : Time(r.AvailableAt))}</td><td>{Time(r.CompletedAt)}</td><td>{r.Attempts}</td></tr>");
        }

        body.Append("</table>");
        if (rows.Count == 0)
        {
            body.Append("<p class=\"muted\">Nothing scheduled yet: place an order.</p>");
        }

        return await PageAsync(context, "Admin · sends", body.ToString());
    }

    private static IEnumerable<string> TemplateNames(FlowRegistry flows)
        => new[] { "starter-kit-checkin", "milestone-congratulation", "service-recovery-apology" }
            .Concat(flows.All.SelectMany(f => f.Steps).Select(s => s.Action).OfType<SendTemplateAction>().Select(a => a.TemplateName))
            .Distinct(StringComparer.Ordinal);

    private static Task<IResult> TemplatesAsync(HttpContext context, FlowRegistry flows, IEmailTemplateRenderer renderer, TemplateModelFactory models, TimeProvider time, string? name, string? locale)
    {
        var names = TemplateNames(flows).Where(renderer.Exists).ToList();
        name = names.Contains(name ?? "", StringComparer.Ordinal) ? name! : names[0];
        locale = PreviewLocales.Contains(locale ?? "", StringComparer.Ordinal) ? locale! : "default";
        var body = new StringBuilder(Nav());
        body.Append("<form method=\"get\" id=\"template-picker\"><label>Template <select name=\"name\">");
        foreach (var n in names)
        {
            body.Append(CultureInfo.InvariantCulture, $"<option{(n == name ? " selected" : "")}>{E(n)}</option>");
        }

        body.Append("</select></label> <label>Locale <select name=\"locale\">");
        foreach (var l in PreviewLocales)
        {
            body.Append(CultureInfo.InvariantCulture, $"<option{(l == locale ? " selected" : "")}>{E(l)}</option>");
        }

        body.Append("</select></label> <button type=\"submit\">Preview</button></form>");
        try
        {
            var rendered = Render(renderer, models, time, name, locale);
            var query = $"name={Uri.EscapeDataString(name)}&amp;locale={Uri.EscapeDataString(locale)}";
            body.Append(CultureInfo.InvariantCulture, $"<p class=\"muted\">Sample data: customer Mei Lin, order SAMPLE-1001 (Starter Kit, Refill Pack), a medium late-delivery issue with a TWD 100 credit, the first-order milestone.</p>");
            body.Append(CultureInfo.InvariantCulture, $"<h2 id=\"preview-subject\">{E(rendered.Subject)}</h2>");
            body.Append(CultureInfo.InvariantCulture, $"<iframe sandbox title=\"HTML part\" src=\"/admin/templates/render?{query}\"></iframe><h3>Text part</h3><pre id=\"preview-text\">{E(rendered.Text)}</pre>");
        }
        catch (TemplateRenderException ex)
        {
            body.Append(CultureInfo.InvariantCulture, $"<p class=\"placeholder\">Render failed: {E(ex.Message)}</p>");
        }

        return PageAsync(context, "Admin · template preview", body.ToString());
    }

    private static IResult RenderTemplate(HttpContext context, FlowRegistry flows, IEmailTemplateRenderer renderer, TemplateModelFactory models, TimeProvider time, string? name, string? locale)
    {
        if (name is null || !TemplateNames(flows).Contains(name, StringComparer.Ordinal) || !renderer.Exists(name))
        {
            return Results.NotFound();
        }

        var rendered = Render(renderer, models, time, name, PreviewLocales.Contains(locale ?? "", StringComparer.Ordinal) ? locale! : "default");
        return SandboxedHtml(context, rendered.Html);
    }

    private static RenderedEmail Render(IEmailTemplateRenderer renderer, TemplateModelFactory models, TimeProvider time, string name, string locale)
    {
        var now = time.GetUtcNow();
        CustomEvent Custom(string eventName, object properties) => new()
        {
            EventId = "sample-" + eventName,
            OccurredAt = now,
            CustomerId = "sample",
            Name = eventName,
            Properties = System.Text.Json.JsonSerializer.SerializeToElement(properties),
        };

        var customer = new LoyaltyCustomer
        {
            CustomerId = "sample",
            Email = "mei@example.com",
            NormalizedEmail = "mei@example.com",
            FirstName = "Mei",
            LastName = "Lin",
            Locale = locale == "default" ? "en" : locale,
            TimeZone = "Asia/Taipei",
            MarketingConsent = true,
            OrderCount = 1,
        };
        var order = new OrderPlaced
        {
            EventId = "sample-order",
            OccurredAt = now.AddDays(-30),
            CustomerId = "sample",
            OrderId = "SAMPLE-1001",
            Currency = Catalogue.Currency,
            Total = 1500m,
            Lines =
            [
                new OrderLine { Sku = "starter-kit", ProductName = "Starter Kit", Quantity = 1, UnitPrice = 1200m, Tags = ["starter-kit"] },
                new OrderLine { Sku = "refill-pack", ProductName = "Refill Pack", Quantity = 1, UnitPrice = 300m, Tags = ["refill"] },
            ],
        };
        LoyaltyEvent trigger = name switch
        {
            "service-recovery-apology" => new ServiceIssueDetected { EventId = "sample-issue", OccurredAt = now, CustomerId = "sample", IssueId = "SAMPLE-ISSUE", Kind = "late_delivery", Severity = ServiceIssueSeverity.Medium, OrderId = order.OrderId, SuggestedCredit = 100m, Currency = Catalogue.Currency },
            "milestone-congratulation" => new MilestoneReached { EventId = "sample-milestone", OccurredAt = now, CustomerId = "sample", Milestone = "first-order", OrderId = order.OrderId },
            "review-prompt" or "review-reminder" => Custom("ReviewPromptDue", new { order_id = order.OrderId, prompt_at = now }),
            "review-thanks-share" => new ReviewSubmitted { EventId = "sample-review", OccurredAt = now, CustomerId = "sample", OrderId = order.OrderId, Sku = "starter-kit", Rating = 5, ProductName = "Starter Kit", ReviewUrl = "http://localhost:5000/products/starter-kit#reviews" },
            "referral-friend-joined" => Custom("ReferralFriendJoined", new { friend_first_name = "Ben", order_id = "SAMPLE-2001" }),
            "referral-reward-ready" => Custom("ReferralRewardReady", new { reward = "TWD 200 credit", friend_first_name = "Ben", order_id = "SAMPLE-2001" }),
            _ => order,
        };
        var links = new Dictionary<string, object?> { ["shop"] = "http://localhost:5000/", ["unsubscribe"] = "#unsubscribe", ["preferences"] = "#preferences" };
        var model = models.Create(trigger, customer, links, new Dictionary<string, object?> { ["order"] = TemplateModelFactory.Order(order) });
        return renderer.Render(name, locale == "default" ? "en" : locale, model);
    }

    private static async Task<IResult> MailboxAsync(HttpContext context, MailboxReader mailbox, string? to)
    {
        var items = await mailbox.ListAsync(200, context.RequestAborted);
        var body = new StringBuilder(Nav());
        body.Append(CultureInfo.InvariantCulture, $"<form method=\"get\"><label>To <input name=\"to\" value=\"{E(to)}\"></label> <button type=\"submit\">Filter</button></form>");
        body.Append("<table id=\"mailbox\"><tr><th>Written</th><th>To</th><th>Subject</th></tr>");
        var shown = 0;
        foreach (var item in items)
        {
            var recipients = item.Message.To.Mailboxes.Select(m => m.Address).ToList();
            if (!string.IsNullOrWhiteSpace(to) && !recipients.Contains(to, StringComparer.OrdinalIgnoreCase))
            {
                continue;
            }

            shown++;
            body.Append(CultureInfo.InvariantCulture, $"<tr class=\"message\"><td>{Time(item.WrittenAt)}</td><td>{E(string.Join(", ", recipients))}</td><td><a href=\"/admin/mailbox/{E(item.Id)}\">{E(item.Message.Subject)}</a></td></tr>");
        }

        body.Append("</table>");
        if (shown == 0)
        {
            body.Append("<p class=\"muted\">No e-mails yet. With SMTP configured, mail goes to the SMTP server instead of this folder.</p>");
        }

        return await PageAsync(context, "Admin · mailbox", body.ToString());
    }

    private static async Task<IResult> MessageAsync(HttpContext context, MailboxReader mailbox, string id)
    {
        if (await mailbox.FindAsync(id, context.RequestAborted) is not { } item)
        {
            return await PageAsync(context, "Not found", "<p>No such message.</p>", 404);
        }

        var m = item.Message;
        var body = new StringBuilder(Nav());
        body.Append("<table id=\"headers\">");
        foreach (var (label, value) in new[]
        {
            ("From", m.From.ToString()), ("To", m.To.ToString()), ("Subject", m.Subject), ("Date", m.Date.ToString("u", CultureInfo.InvariantCulture)),
            ("Message-ID", m.MessageId), ("List-Unsubscribe", m.Headers[HeaderId.ListUnsubscribe]), ("List-Unsubscribe-Post", m.Headers[HeaderId.ListUnsubscribePost]),
        })
        {
            body.Append(CultureInfo.InvariantCulture, $"<tr><th>{label}</th><td>{E(value)}</td></tr>");
        }

        body.Append("</table><h2>HTML part</h2>");
        body.Append(CultureInfo.InvariantCulture, $"<iframe sandbox title=\"HTML part\" id=\"message-html\" src=\"/admin/mailbox/{E(item.Id)}/html\"></iframe>");
        body.Append(CultureInfo.InvariantCulture, $"<h2>Text part</h2><pre id=\"message-text\">{E(m.TextBody)}</pre>");
        return await PageAsync(context, m.Subject ?? "(no subject)", body.ToString());
    }

    private static async Task<IResult> MessageHtmlAsync(HttpContext context, MailboxReader mailbox, string id)
    {
        if (await mailbox.FindAsync(id, context.RequestAborted) is not { } item)
        {
            return Results.NotFound();
        }

        return SandboxedHtml(context, item.Message.HtmlBody ?? $"<pre>{E(item.Message.TextBody)}</pre>");
    }

    private static IResult SandboxedHtml(HttpContext context, string html)
    {
        context.Response.Headers.ContentSecurityPolicy = MailContentSecurityPolicy;
        context.Response.Headers.XContentTypeOptions = "nosniff";
        return Results.Content(html, "text/html; charset=utf-8");
    }

    private static async Task<IResult> DemoClockAsync(HttpContext context, DemoClock clock, StepDispatcher dispatcher)
    {
        var form = await context.Request.ReadFormAsync(context.RequestAborted);
        if (double.TryParse(form["hours"], NumberStyles.Float, CultureInfo.InvariantCulture, out var hours) && hours is > 0 and <= 24 * 3650)
        {
            clock.Advance(TimeSpan.FromHours(hours));
        }

        // Moving the clock runs what fell due at once, so a visitor sees the effect without waiting for the sweep.
        await dispatcher.DispatchDueAsync(context.RequestAborted);
        return Results.Redirect(ShopPages.LocalOr(form["return"], "/admin/sends"));
    }
}
