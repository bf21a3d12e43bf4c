using Loyalty.AspNetCore.Pages;
using Loyalty.Links;
using Loyalty.Stores;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Loyalty.AspNetCore.Unsubscribe;

/// <summary>
/// RFC 8058 one-click unsubscribe and the preferences page. The POST needs only the token in the URL (no cookie,
/// no antiforgery: mail clients post it without a session), answers 200, never redirects and is safe to repeat.
/// The GET only shows a page with a button; it never unsubscribes, because link scanners follow GETs.
/// </summary>
internal static class UnsubscribeEndpoints
{
    public const string MarketingCategory = "marketing";
    public const string AllCategory = "*";

    public static void Map(IEndpointRouteBuilder group, LoyaltyEndpointOptions options)
    {
        var wrapped = Microsoft.Extensions.Options.Options.Create(options);
        group.MapGet("/unsubscribe/{token}", ShowConfirmation);
        group.MapPost("/unsubscribe/{token}", OneClickAsync).DisableAntiforgery();
        group.MapGet("/preferences/{token}", (string token, ISignedLinks links, ICustomerStore customers, ISuppressionStore suppressions, CancellationToken ct)
            => ShowPreferencesAsync(token, links, customers, suppressions, wrapped, ct));
        group.MapPost("/preferences/{token}", (string token, HttpRequest request, ISignedLinks links, ICustomerStore customers, ISuppressionStore suppressions, TimeProvider time, CancellationToken ct)
            => SavePreferencesAsync(token, request, links, customers, suppressions, wrapped, time, ct)).DisableAntiforgery();
    }

    private static IResult ShowConfirmation(string token, ISignedLinks links)
    {
        if (links.Verify(token, LinkPurpose.Unsubscribe) is null)
        {
            return NotFound();
        }

        var body = "<h1>Unsubscribe</h1><p>Press the button to stop our marketing e-mails. You will still get mail about your orders.</p>"
            + $"<form method=\"post\" action=\"{LoyaltyPage.Encode(token)}\"><button type=\"submit\">Unsubscribe</button></form>"
            + $"<p><a href=\"../preferences/{LoyaltyPage.Encode(token)}\">Choose which e-mails you get instead</a></p>";
        return Results.Content(LoyaltyPage.Render("Unsubscribe", body), "text/html; charset=utf-8");
    }

    private static async Task<IResult> OneClickAsync(string token, ISignedLinks links, ICustomerStore customers, ISuppressionStore suppressions, TimeProvider time, CancellationToken cancellationToken)
    {
        var customer = await FindCustomerAsync(token, links, customers, cancellationToken).ConfigureAwait(false);
        if (customer is null)
        {
            return NotFound();
        }

        await suppressions.AddAsync(new Suppression
        {
            NormalizedEmail = customer.NormalizedEmail,
            Category = MarketingCategory,
            Reason = "unsubscribed",
            CreatedAt = time.GetUtcNow(),
        }, cancellationToken).ConfigureAwait(false);
        var body = "<h1>You are unsubscribed</h1><p>We will not send you marketing e-mail any more. Orders and service messages still reach you.</p>";
        return Results.Content(LoyaltyPage.Render("Unsubscribed", body), "text/html; charset=utf-8", statusCode: StatusCodes.Status200OK);
    }

    private static async Task<IResult> ShowPreferencesAsync(string token, ISignedLinks links, ICustomerStore customers, ISuppressionStore suppressions, Microsoft.Extensions.Options.IOptions<LoyaltyEndpointOptions> options, CancellationToken cancellationToken)
    {
        var customer = await FindCustomerAsync(token, links, customers, cancellationToken).ConfigureAwait(false);
        if (customer is null)
        {
            return NotFound();
        }

        var current = (await suppressions.GetAsync(customer.NormalizedEmail, cancellationToken).ConfigureAwait(false)).Select(s => s.Category).ToHashSet(StringComparer.Ordinal);
        var body = new System.Text.StringBuilder("<h1>Your e-mail preferences</h1>");
        body.Append($"<p>For {LoyaltyPage.Encode(customer.Email)}</p><form method=\"post\">");
        body.Append(Checkbox("marketing", "News and offers", !current.Contains(MarketingCategory) && !current.Contains(AllCategory)));
        foreach (var topic in options.Value.Topics)
        {
            var category = $"{MarketingCategory}:{topic}";
            body.Append(Checkbox(category, topic, !current.Contains(category) && !current.Contains(MarketingCategory) && !current.Contains(AllCategory)));
        }

        body.Append("<p><button type=\"submit\">Save</button></p></form>");
        return Results.Content(LoyaltyPage.Render("Preferences", body.ToString()), "text/html; charset=utf-8");
    }

    private static async Task<IResult> SavePreferencesAsync(string token, HttpRequest request, ISignedLinks links, ICustomerStore customers, ISuppressionStore suppressions, Microsoft.Extensions.Options.IOptions<LoyaltyEndpointOptions> options, TimeProvider time, CancellationToken cancellationToken)
    {
        var customer = await FindCustomerAsync(token, links, customers, cancellationToken).ConfigureAwait(false);
        if (customer is null)
        {
            return NotFound();
        }

        var form = request.HasFormContentType ? await request.ReadFormAsync(cancellationToken).ConfigureAwait(false) : null;
        var wanted = form?["category"].Select(v => v ?? "").ToHashSet(StringComparer.Ordinal) ?? [];
        var categories = new[] { MarketingCategory }.Concat(options.Value.Topics.Select(t => $"{MarketingCategory}:{t}"));
        foreach (var category in categories)
        {
            if (wanted.Contains(category))
            {
                await suppressions.RemoveAsync(customer.NormalizedEmail, category, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                await suppressions.AddAsync(new Suppression { NormalizedEmail = customer.NormalizedEmail, Category = category, Reason = "preferences", CreatedAt = time.GetUtcNow() }, cancellationToken).ConfigureAwait(false);
            }
        }

        return Results.Content(LoyaltyPage.Render("Preferences saved", "<h1>Saved</h1><p>Your preferences are saved.</p>"), "text/html; charset=utf-8");
    }

    private static async Task<LoyaltyCustomer?> FindCustomerAsync(string token, ISignedLinks links, ICustomerStore customers, CancellationToken cancellationToken)
    {
        var link = links.Verify(token, LinkPurpose.Unsubscribe);
        return link is null ? null : await customers.FindByIdAsync(link.Subject, cancellationToken).ConfigureAwait(false);
    }

    private static string Checkbox(string category, string label, bool isChecked)
        => $"<p><label><input type=\"checkbox\" name=\"category\" value=\"{LoyaltyPage.Encode(category)}\"{(isChecked ? " checked" : "")}> {LoyaltyPage.Encode(label)}</label></p>";

    private static IResult NotFound() => LoyaltyPage.NotFound();
}
