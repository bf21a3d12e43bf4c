using System.Text.Json;
using Loyalty.Email.Delivery;
using Loyalty.Email.Flows;
using Loyalty.Email.Scheduling;
using Loyalty.Referrals.Attribution;
using Loyalty.Referrals.Codes;
using Loyalty.Referrals.Sharing;
using Loyalty.Storefront.Data;
using Loyalty.Storefront.Demo;
using Loyalty.Storefront.Shop;
using Loyalty.Stores;
using Loyalty.Validation;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using MimeKit;

namespace Loyalty.Storefront.Api;

public sealed record ClockAdvance(double? Hours);

/// <summary>The JSON API the browser tests, the docs and scripts use. Errors are RFC 7807 problem details.</summary>
public static class ApiEndpoints
{
    public static void Map(IEndpointRouteBuilder app, StorefrontOptions options)
    {
        var api = app.MapGroup("/api").AddEndpointFilter(TranslateErrorsAsync);
        api.MapPost("/customers", async (HttpContext context, ShopService shop) =>
        {
            var input = await ReadAsync<CustomerInput>(context);
            var customer = await shop.UpsertCustomerAsync(input, "api", context.RequestAborted);
            return Results.Ok(customer);
        });
        api.MapGet("/customers/{id}", async (string id, StorefrontDbContext db, CancellationToken ct) =>
        {
            var customer = await db.ShopCustomers.AsNoTracking().FirstOrDefaultAsync(c => c.Id == id, ct);
            if (customer is null)
            {
                return NotFound($"No customer '{id}'.");
            }

            var orders = await db.ShopOrders.AsNoTracking().Where(o => o.CustomerId == id).ToListAsync(ct);
            var credits = await db.ShopCredits.AsNoTracking().Where(c => c.CustomerId == id).ToListAsync(ct);
            return Results.Ok(new { customer, orders = orders.Select(OrderView), credits });
        });
        api.MapPost("/orders", async (HttpContext context, ShopService shop) =>
        {
            var order = await shop.PlaceOrderAsync(await ReadAsync<OrderInput>(context), context.RequestAborted);
            return Results.Created($"/api/orders/{Uri.EscapeDataString(order.Id)}", OrderView(order));
        });
        api.MapPost("/orders/{id}/deliver", async (string id, ShopService shop, CancellationToken ct) => Results.Ok(OrderView(await shop.DeliverAsync(id, ct))));
        api.MapPost("/orders/{id}/refund", async (string id, ShopService shop, CancellationToken ct) => Results.Ok(OrderView(await shop.RefundAsync(id, ct))));
        api.MapPost("/service-issues", async (HttpContext context, ShopService shop) =>
        {
            var issue = await shop.ReportServiceIssueAsync(await ReadAsync<ServiceIssueInput>(context), context.RequestAborted);
            return Results.Accepted(value: new { id = issue.IssueId, issue.EventId, issue.CustomerId, issue.OrderId, issue.Kind, issue.Severity, credit = issue.SuggestedCredit, issue.Currency });
        });
        api.MapPost("/reviews", async (HttpContext context, ShopService shop) =>
        {
            var review = await shop.SubmitReviewAsync(await ReadAsync<ReviewInput>(context), context.RequestAborted);
            return Results.Created($"/products/{Uri.EscapeDataString(review.Sku)}#reviews", review);
        });
        api.MapGet("/customers/{id}/referral", async (string id, StorefrontDbContext db, ReferralCodes codes, ShareLinkBuilder share, ReferralFunnel funnel, CancellationToken ct) =>
        {
            var customer = await db.ShopCustomers.AsNoTracking().FirstOrDefaultAsync(c => c.Id == id, ct);
            if (customer is null)
            {
                return NotFound($"No customer '{id}'.");
            }

            var code = await codes.GetOrCreateAsync(id, ct);
            var landing = codes.LandingUrl(code.Code);
            var figures = (await funnel.GetAsync(new ReferralFunnelFilter { AdvocateCustomerId = id }, ct)).Totals;
            return Results.Ok(new
            {
                code = code.Code,
                landingUrl = landing.AbsoluteUri,
                wechatQrPng = new Uri(landing.AbsoluteUri + "/wechat-qr.png").AbsoluteUri,
                wechatQrSvg = new Uri(landing.AbsoluteUri + "/wechat-qr.svg").AbsoluteUri,
                shareLinks = share.ForReferral(landing, customer.Locale).ToDictionary(l => l.Key, l => new { url = l.Value.Url.AbsoluteUri, kind = l.Value.Kind.ToString() }),
                trackedShareLinks = share.TrackedForReferral(code.Code).ToDictionary(l => l.Key, l => l.Value.Url.AbsoluteUri),
                funnel = new { visits = figures.LandingVisits, shareOpens = figures.ShareOpens, attributedOrders = figures.AttributedOrders, rewards = figures.Rewards },
            });
        });
        api.MapGet("/sends", async (string? customerId, string? state, IScheduledStepStore steps, FlowRegistry flows, CancellationToken ct) =>
        {
            StepState? filter = Enum.TryParse<StepState>(state, ignoreCase: true, out var s) ? s : null;
            var rows = await steps.QueryAsync(new StepQuery { CustomerId = string.IsNullOrWhiteSpace(customerId) ? null : customerId, State = filter, Take = 500 }, ct);
            return Results.Ok(rows.Select(r => SendView(r, flows)));
        });
        api.MapGet("/mailbox", async (string? to, MailboxReader mailbox, CancellationToken ct) =>
        {
            var items = await mailbox.ListAsync(200, ct);
            return Results.Ok(items
                .Where(i => string.IsNullOrWhiteSpace(to) || i.Message.To.Mailboxes.Any(m => string.Equals(m.Address, to, StringComparison.OrdinalIgnoreCase)))
                .Select(MailView));
        });

        if (options.DemoClock)
        {
            var dev = api.MapGroup("/dev");
            dev.MapGet("/clock", (DemoClock clock) => Results.Ok(new { now = clock.GetUtcNow(), offset = clock.Offset }));
            dev.MapPost("/clock/advance", async (HttpContext context, DemoClock clock) =>
            {
                var body = await ReadAsync<ClockAdvance>(context);
                if (body.Hours is not (> 0 and <= 24 * 3650))
                {
                    return Results.ValidationProblem(new Dictionary<string, string[]> { ["hours"] = ["Advance by more than 0 and at most 87600 hours."] });
                }

                var now = clock.Advance(TimeSpan.FromHours(body.Hours.Value));
                return Results.Ok(new { now, offset = clock.Offset });
            });
            dev.MapPost("/dispatch", async (StepDispatcher dispatcher, TimeProvider time, CancellationToken ct) =>
            {
                var worked = await dispatcher.DispatchDueAsync(ct);
                return Results.Ok(new { worked, now = time.GetUtcNow() });
            });
        }
    }

    public static object OrderView(ShopOrder o) => new
    {
        o.Id,
        o.CustomerId,
        o.PlacedAt,
        o.Currency,
        o.Total,
        o.Status,
        o.DeliveredAt,
        o.RefundedAt,
        o.ReferralCode,
        lines = ShopService.Lines(o),
        eventId = $"order-placed:{o.Id}",
    };

    public static object SendView(ScheduledStep r, FlowRegistry flows)
    {
        var action = flows.Find(r.FlowId) is { } flow && r.StepIndex < flow.Steps.Count ? flow.Steps[r.StepIndex].Action : null;
        return new
        {
            r.Id,
            r.CustomerId,
            flow = r.FlowId,
            step = r.StepIndex,
            template = (action as SendTemplateAction)?.TemplateName,
            action = action?.Describe(),
            r.Category,
            state = r.State.ToString(),
            r.Reason,
            r.DueAt,
            r.AvailableAt,
            r.CreatedAt,
            r.CompletedAt,
            r.Attempts,
            r.MessageId,
            r.TriggerEventId,
        };
    }

    public static object MailView(MailboxItem i) => new
    {
        i.Id,
        i.WrittenAt,
        to = i.Message.To.Mailboxes.Select(m => m.Address).ToList(),
        from = i.Message.From.ToString(),
        i.Message.Subject,
        messageId = i.Message.MessageId,
        listUnsubscribe = i.Message.Headers[HeaderId.ListUnsubscribe],
        listUnsubscribePost = i.Message.Headers[HeaderId.ListUnsubscribePost],
        text = i.Message.TextBody,
        htmlUrl = $"/admin/mailbox/{i.Id}/html",
    };

    private static IResult NotFound(string detail) => Results.Problem(title: "Not found", detail: detail, statusCode: StatusCodes.Status404NotFound);

    /// <summary>Reads the JSON body; malformed JSON becomes a validation problem naming the field it broke at.</summary>
    private static async Task<T> ReadAsync<T>(HttpContext context)
        where T : class
    {
        var json = context.RequestServices.GetRequiredService<IOptions<JsonOptions>>().Value.SerializerOptions;
        try
        {
            return await context.Request.ReadFromJsonAsync<T>(json, context.RequestAborted)
                ?? throw new ShopValidationException(new Dictionary<string, string[]> { ["body"] = ["A JSON object is required."] });
        }
        catch (JsonException ex)
        {
            var field = string.IsNullOrEmpty(ex.Path) || ex.Path == "$" ? "body" : ex.Path.TrimStart('$', '.');
            throw new ShopValidationException(new Dictionary<string, string[]> { [field] = [$"Not valid JSON for this field ({ex.Message.Split(" Path:", 2)[0]})"] });
        }
        catch (InvalidOperationException ex) when (!context.Request.HasJsonContentType())
        {
            throw new ShopValidationException(new Dictionary<string, string[]> { ["body"] = [$"Send JSON with Content-Type: application/json ({ex.Message})"] });
        }
    }

    private static async ValueTask<object?> TranslateErrorsAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        try
        {
            return await next(context);
        }
        catch (ShopValidationException ex)
        {
            return Results.ValidationProblem(ex.Errors, title: "The request has invalid fields");
        }
        catch (EventValidationException ex)
        {
            return Results.ValidationProblem(
                ex.Problems.GroupBy(p => ShopService.Camel(p.Field), StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Select(p => p.Message).ToArray(), StringComparer.Ordinal),
                title: "The event was refused");
        }
        catch (ShopNotFoundException ex)
        {
            return NotFound(ex.Message);
        }
    }
}
