using System.Globalization;
using System.Text;
using Loyalty.AspNetCore;
using Loyalty.Referrals.Attribution;
using Loyalty.Referrals.Codes;
using Loyalty.Referrals.Reviews;
using Loyalty.Referrals.Sharing;
using Loyalty.Storefront.Data;
using Loyalty.Storefront.Shop;
using Loyalty.Stores;
using Microsoft.EntityFrameworkCore;
using static Loyalty.Storefront.Web.Html;

namespace Loyalty.Storefront.Web;

/// <summary>The customer's pages: catalogue, product, cart and checkout, account, review.</summary>
public static class ShopPages
{
    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapGet("/", (Func<HttpContext, Task<IResult>>)CatalogueAsync);
        app.MapGet("/products/{sku}", ProductAsync);
        app.MapGet("/cart", CartAsync);
        app.MapPost("/cart/add", (Func<HttpContext, Task<IResult>>)AddToCartAsync);
        app.MapPost("/cart/clear", (Func<HttpContext, IResult>)(context =>
        {
            Cart.Write(context, []);
            return Results.Redirect("/cart");
        }));
        app.MapPost("/checkout", CheckoutAsync);
        app.MapGet("/account", AccountAsync);
        app.MapPost("/account/new", NewCustomerAsync);
        app.MapPost("/orders/{id}/deliver", async (string id, HttpContext context, ShopService shop) =>
        {
            await shop.DeliverAsync(id, context.RequestAborted);
            return Results.Redirect("/account");
        });
        app.MapPost("/orders/{id}/refund", async (string id, HttpContext context, ShopService shop) =>
        {
            await shop.RefundAsync(id, context.RequestAborted);
            return Results.Redirect("/account");
        });
        app.MapGet("/review", ReviewAsync);
        app.MapPost("/review", SubmitReviewAsync);
        app.MapGet("/switch", (HttpContext context, string? customer, string? @return) =>
        {
            if (!string.IsNullOrWhiteSpace(customer))
            {
                context.Response.Cookies.Append(CustomerCookie, customer, new CookieOptions { HttpOnly = true, SameSite = SameSiteMode.Lax, IsEssential = true });
            }

            return Results.Redirect(LocalOr(@return, "/account"));
        });
    }

    /// <summary>Only local paths are followed back (never an open redirect).</summary>
    public static string LocalOr(string? url, string fallback)
        => !string.IsNullOrEmpty(url) && url.StartsWith('/') && !url.StartsWith("//", StringComparison.Ordinal) && !url.StartsWith("/\\", StringComparison.Ordinal) ? url : fallback;

    private static Task<IResult> CatalogueAsync(HttpContext context)
    {
        var lang = UiLocaleMiddleware.Of(context);
        var body = new StringBuilder("<div class=\"grid\">");
        foreach (var p in Catalogue.Products)
        {
            body.Append(CultureInfo.InvariantCulture, $"<div class=\"card\" data-sku=\"{E(p.Sku)}\"><h3><a href=\"/products/{E(p.Sku)}\">{E(p.DisplayName(lang))}</a></h3>");
            body.Append(CultureInfo.InvariantCulture, $"<p class=\"muted\">{E(p.DisplayDescription(lang))}</p><p><strong>{Money(p.Price, Catalogue.Currency)}</strong></p>");
            body.Append(AddToCartForm(p, lang)).Append("</div>");
        }

        body.Append("</div>");
        return PageAsync(context, Strings.T(lang, "catalogue"), body.ToString());
    }

    private static string AddToCartForm(Product p, string lang)
        => $"<form method=\"post\" action=\"/cart/add\"><input type=\"hidden\" name=\"sku\" value=\"{E(p.Sku)}\"><input type=\"number\" name=\"quantity\" value=\"1\" min=\"1\" max=\"99\" style=\"width:4rem\"> <button type=\"submit\" id=\"add-{E(p.Sku)}\">{Strings.T(lang, "add-to-cart")}</button></form>";

    private static async Task<IResult> ProductAsync(string sku, HttpContext context, StorefrontDbContext db)
    {
        var lang = UiLocaleMiddleware.Of(context);
        if (Catalogue.Find(sku) is not { } p)
        {
            return await PageAsync(context, "Not found", "<p>No such product.</p>", 404);
        }

        var reviews = await db.ShopReviews.AsNoTracking().Where(r => r.Sku == sku).ToListAsync(context.RequestAborted);
        var body = new StringBuilder();
        body.Append(CultureInfo.InvariantCulture, $"<p>{E(p.DisplayDescription(lang))}</p><p><strong>{Money(p.Price, Catalogue.Currency)}</strong></p>{AddToCartForm(p, lang)}");
        body.Append(CultureInfo.InvariantCulture, $"<h2 id=\"reviews\">{Strings.T(lang, "reviews")}</h2>");
        if (reviews.Count == 0)
        {
            body.Append(CultureInfo.InvariantCulture, $"<p class=\"muted\">{Strings.T(lang, "no-reviews")}</p>");
        }

        foreach (var r in reviews.OrderByDescending(r => r.CreatedAt))
        {
            body.Append(CultureInfo.InvariantCulture, $"<div class=\"card\"><strong>{new string('★', r.Rating)}{new string('☆', 5 - r.Rating)}</strong> <span class=\"muted\">{E(r.CustomerId)} · {Time(r.CreatedAt)}</span><p>{E(r.Text)}</p></div>");
        }

        return await PageAsync(context, p.DisplayName(lang), body.ToString());
    }

    private static async Task<IResult> AddToCartAsync(HttpContext context)
    {
        var form = await context.Request.ReadFormAsync(context.RequestAborted);
        var sku = form["sku"].ToString();
        if (Catalogue.Find(sku) is null || !int.TryParse(form["quantity"], NumberStyles.None, CultureInfo.InvariantCulture, out var quantity) || quantity is < 1 or > 99)
        {
            return Results.Redirect("/");
        }

        var lines = Cart.Read(context).ToList();
        var existing = lines.FindIndex(l => l.Sku == sku);
        if (existing >= 0)
        {
            lines[existing] = lines[existing] with { Quantity = Math.Min(99, lines[existing].Quantity + quantity) };
        }
        else
        {
            lines.Add(new Cart.Line(sku, quantity));
        }

        Cart.Write(context, lines);
        return Results.Redirect("/cart");
    }

    private static Task<IResult> CartAsync(HttpContext context, string? error)
    {
        var lang = UiLocaleMiddleware.Of(context);
        string T(string key) => Strings.T(lang, key);
        var lines = Cart.Read(context);
        var body = new StringBuilder();
        if (!string.IsNullOrEmpty(error))
        {
            body.Append(CultureInfo.InvariantCulture, $"<p class=\"placeholder\">{E(error)}</p>");
        }

        if (lines.Count == 0)
        {
            body.Append(CultureInfo.InvariantCulture, $"<p>{T("cart-empty")}</p>");
            return PageAsync(context, T("cart"), body.ToString());
        }

        body.Append(CultureInfo.InvariantCulture, $"<table id=\"cart\"><tr><th>{T("product")}</th><th>{T("quantity")}</th><th>{T("price")}</th></tr>");
        foreach (var line in lines)
        {
            var p = Catalogue.Find(line.Sku)!;
            body.Append(CultureInfo.InvariantCulture, $"<tr><td>{E(p.DisplayName(lang))}</td><td>{line.Quantity}</td><td>{Money(p.Price * line.Quantity, Catalogue.Currency)}</td></tr>");
        }

        var total = lines.Sum(l => Catalogue.Find(l.Sku)!.Price * l.Quantity);
        body.Append(CultureInfo.InvariantCulture, $"<tr><th>{T("total")}</th><th></th><th>{Money(total, Catalogue.Currency)}</th></tr></table>");
        body.Append(CultureInfo.InvariantCulture, $"<form method=\"post\" action=\"/checkout\"><p><label>{T("referral-code")} <input name=\"referralCode\" maxlength=\"64\"></label></p><button type=\"submit\" id=\"checkout\">{T("checkout")}</button></form>");
        body.Append(CultureInfo.InvariantCulture, $"<form method=\"post\" action=\"/cart/clear\"><p><button type=\"submit\">{T("clear-cart")}</button></p></form>");
        return PageAsync(context, T("cart"), body.ToString());
    }

    private static async Task<IResult> CheckoutAsync(HttpContext context, ShopService shop, TimeProvider time)
    {
        var form = await context.Request.ReadFormAsync(context.RequestAborted);
        var lines = Cart.Read(context);
        if (lines.Count == 0)
        {
            return Results.Redirect("/cart");
        }

        // The referral code typed at checkout wins; otherwise the one the visitor came with (the loyalty_ref cookie
        // the referral landing or a ?ref= link set). The visitor id lets Loyalty match the order to the visit.
        var attribution = ReferralAttributionCookie.Read(context.Request);
        var typedCode = form["referralCode"].ToString().Trim();
        var referralCode = typedCode.Length > 0 ? typedCode : attribution?.Code;
        var id = "W" + time.GetUtcNow().ToString("yyMMddHHmmss", CultureInfo.InvariantCulture) + Random.Shared.Next(100, 999).ToString(CultureInfo.InvariantCulture);
        try
        {
            await shop.PlaceOrderAsync(new OrderInput(id, CustomerId(context), lines.Select(l => new OrderLineInput(l.Sku, l.Quantity)).ToList(), referralCode, attribution?.VisitorId), context.RequestAborted);
        }
        catch (ShopValidationException ex)
        {
            return Results.Redirect("/cart?error=" + Uri.EscapeDataString(ex.Message));
        }

        Cart.Write(context, []);
        return Results.Redirect("/account?placed=" + Uri.EscapeDataString(id));
    }

    private static async Task<IResult> NewCustomerAsync(HttpContext context, ShopService shop)
    {
        var form = await context.Request.ReadFormAsync(context.RequestAborted);
        var email = form["email"].ToString();
        var id = form["id"].ToString() is { Length: > 0 } given ? given : new string(email.Split('@')[0].Where(char.IsAsciiLetterOrDigit).ToArray()).ToLowerInvariant() + "-" + Random.Shared.Next(1000, 9999).ToString(CultureInfo.InvariantCulture);
        try
        {
            await shop.UpsertCustomerAsync(new CustomerInput(id, email, form["name"], form["locale"], form["timeZone"], form["consent"] == "on"), "storefront-signup-form", context.RequestAborted);
        }
        catch (ShopValidationException ex)
        {
            return await PageAsync(context, "Not saved", $"<p class=\"placeholder\">{E(ex.Message)}</p><p><a href=\"/account\">Back</a></p>", 400);
        }

        context.Response.Cookies.Append(CustomerCookie, id, new CookieOptions { HttpOnly = true, SameSite = SameSiteMode.Lax, IsEssential = true });
        return Results.Redirect("/account");
    }

    private static async Task<IResult> AccountAsync(HttpContext context, StorefrontDbContext db, IScheduledStepStore steps, ReferralCodes codes, ShareLinkBuilder share, ReferralFunnel funnel, string? placed)
    {
        var lang = UiLocaleMiddleware.Of(context);
        string T(string key) => Strings.T(lang, key);
        var id = CustomerId(context);
        var customer = await db.ShopCustomers.AsNoTracking().FirstOrDefaultAsync(c => c.Id == id, context.RequestAborted);
        var body = new StringBuilder();
        if (!string.IsNullOrEmpty(placed))
        {
            body.Append(CultureInfo.InvariantCulture, $"<p class=\"notice\" id=\"order-placed\">{E(string.Format(CultureInfo.InvariantCulture, T("order-placed"), placed))}</p>");
        }

        if (customer is null)
        {
            body.Append("<p>Choose a customer above, or create one below.</p>");
        }
        else
        {
            body.Append(CultureInfo.InvariantCulture, $"<p id=\"customer\" data-customer-id=\"{E(customer.Id)}\"><strong>{E(customer.Name)}</strong> · {E(customer.Email)} · {E(customer.Locale)} · {E(customer.TimeZone)} · marketing consent: {(customer.MarketingConsent ? "yes" : "no")}</p>");
            var orders = await db.ShopOrders.AsNoTracking().Where(o => o.CustomerId == id).ToListAsync(context.RequestAborted);
            body.Append(CultureInfo.InvariantCulture, $"<h2>{T("orders")}</h2>");
            if (orders.Count == 0)
            {
                body.Append(CultureInfo.InvariantCulture, $"<p>{T("no-orders")}</p>");
            }
            else
            {
                body.Append(CultureInfo.InvariantCulture, $"<table id=\"orders\"><tr><th>{T("order")}</th><th>{T("date")}</th><th>{T("items")}</th><th>{T("total")}</th><th>{T("status")}</th><th></th></tr>");
                foreach (var o in orders.OrderByDescending(o => o.PlacedAt))
                {
                    body.Append(CultureInfo.InvariantCulture, $"<tr data-order-id=\"{E(o.Id)}\"><td>{E(o.Id)}</td><td>{Time(o.PlacedAt)}</td><td>");
                    foreach (var line in ShopService.Lines(o))
                    {
                        body.Append(CultureInfo.InvariantCulture, $"{line.Quantity} × {E(Catalogue.Find(line.Sku)?.DisplayName(lang) ?? line.Name)}");
                        if (o.DeliveredAt is not null)
                        {
                            body.Append(" <span class=\"stars\">");
                            for (var star = 1; star <= 5; star++)
                            {
                                body.Append(CultureInfo.InvariantCulture, $"<a title=\"{star}\" href=\"/review?sku={Uri.EscapeDataString(line.Sku)}&amp;order={Uri.EscapeDataString(o.Id)}&amp;rating={star}\">★</a>");
                            }

                            body.Append("</span>");
                        }

                        body.Append("<br>");
                    }

                    body.Append(CultureInfo.InvariantCulture, $"</td><td>{Money(o.Total, o.Currency)}</td><td class=\"order-status\">{E(o.Status)}</td><td>");
                    if (o.DeliveredAt is null)
                    {
                        body.Append(CultureInfo.InvariantCulture, $"<form method=\"post\" action=\"/orders/{Uri.EscapeDataString(o.Id)}/deliver\"><button type=\"submit\" class=\"deliver\">{T("deliver")}</button></form>");
                    }

                    if (o.RefundedAt is null)
                    {
                        body.Append(CultureInfo.InvariantCulture, $"<form method=\"post\" action=\"/orders/{Uri.EscapeDataString(o.Id)}/refund\"><button type=\"submit\" class=\"refund\">{T("refund")}</button></form>");
                    }

                    body.Append("</td></tr>");
                }

                body.Append("</table>");
            }

            body.Append(await ReferralSectionAsync(customer, lang, codes, share, funnel, context.RequestAborted));

            var credits = await db.ShopCredits.AsNoTracking().Where(c => c.CustomerId == id).ToListAsync(context.RequestAborted);
            body.Append(CultureInfo.InvariantCulture, $"<h2>{T("rewards")}</h2>");
            if (credits.Count == 0)
            {
                body.Append(CultureInfo.InvariantCulture, $"<p>{T("no-rewards")}</p>");
            }
            else
            {
                body.Append("<table id=\"credits\"><tr><th>Kind</th><th>Amount</th><th>Code</th><th>Issued</th><th>Why</th></tr>");
                foreach (var c in credits.OrderByDescending(c => c.IssuedAt))
                {
                    body.Append(CultureInfo.InvariantCulture, $"<tr><td>{E(c.Kind)}</td><td>{Money(c.Amount, c.Currency)}</td><td>{E(c.Code)}</td><td>{Time(c.IssuedAt)}</td><td>{E(c.Reason)}</td></tr>");
                }

                body.Append("</table>");
            }

            var reviews = await db.ShopReviews.AsNoTracking().Where(r => r.CustomerId == id).ToListAsync(context.RequestAborted);
            if (reviews.Count > 0)
            {
                body.Append(CultureInfo.InvariantCulture, $"<h2>{T("my-reviews")}</h2><table id=\"reviews\">");
                foreach (var r in reviews)
                {
                    body.Append(CultureInfo.InvariantCulture, $"<tr><td>{E(r.Sku)}</td><td>{new string('★', r.Rating)}</td><td>{E(r.Text)}</td></tr>");
                }

                body.Append("</table>");
            }

            var sends = await steps.QueryAsync(new StepQuery { CustomerId = id, Take = 50 }, context.RequestAborted);
            body.Append(CultureInfo.InvariantCulture, $"<h2>{T("emails")}</h2><p><a href=\"/admin/sends?customerId={Uri.EscapeDataString(id)}\">{sends.Count} scheduled or sent</a> · <a href=\"/admin/mailbox?to={Uri.EscapeDataString(customer.Email)}\">mailbox</a></p>");
        }

        body.Append(CultureInfo.InvariantCulture, $"<h2>{T("new-customer")}</h2><form method=\"post\" action=\"/account/new\" class=\"card\">");
        body.Append(CultureInfo.InvariantCulture, $"<p><label>{T("name")} <input name=\"name\" required></label> <label>{T("email")} <input name=\"email\" type=\"email\" required></label></p>");
        body.Append(CultureInfo.InvariantCulture, $"<p><label>{T("locale")} <select name=\"locale\"><option>en</option><option>zh-TW</option><option>zh-CN</option><option>th</option></select></label> ");
        body.Append(CultureInfo.InvariantCulture, $"<label>{T("time-zone")} <select name=\"timeZone\"><option>Asia/Taipei</option><option>Asia/Shanghai</option><option>Asia/Bangkok</option><option>Europe/London</option><option>America/New_York</option></select></label></p>");
        body.Append(CultureInfo.InvariantCulture, $"<p><label><input type=\"checkbox\" name=\"consent\"> {T("consent")}</label></p><button type=\"submit\">{T("create")}</button></form>");
        return await PageAsync(context, T("account"), body.ToString());
    }

    private static Task<IResult> ReviewAsync(HttpContext context, ReviewLinkVerifier verifier, string? sku, string? order, int? rating, string? token)
    {
        // From an e-mail's star link (through the review landing): the token says who reviews what; it wins over the query.
        if (verifier.Verify(token) is { } claims)
        {
            (sku, order, rating) = (claims.Sku, claims.OrderId, claims.Rating);
        }
        else
        {
            token = null;
        }

        var lang = UiLocaleMiddleware.Of(context);
        string T(string key) => Strings.T(lang, key);
        var product = Catalogue.Find(sku);
        if (product is null)
        {
            return PageAsync(context, T("write-review"), "<p>No such product.</p>", 404);
        }

        var body = new StringBuilder();
        body.Append(CultureInfo.InvariantCulture, $"<form method=\"post\" action=\"/review\" class=\"card\" id=\"review-form\"><p><strong>{E(product.DisplayName(lang))}</strong>{(string.IsNullOrEmpty(order) ? "" : $" · {T("order")} {E(order)}")}</p>");
        body.Append(CultureInfo.InvariantCulture, $"<input type=\"hidden\" name=\"sku\" value=\"{E(product.Sku)}\"><input type=\"hidden\" name=\"order\" value=\"{E(order)}\"><input type=\"hidden\" name=\"token\" value=\"{E(token)}\"><p>{T("rating")}: ");
        for (var star = 1; star <= 5; star++)
        {
            body.Append(CultureInfo.InvariantCulture, $"<label><input type=\"radio\" name=\"rating\" value=\"{star}\" id=\"rating-{star}\"{(rating == star ? " checked" : "")}> {new string('★', star)}</label> ");
        }

        body.Append(CultureInfo.InvariantCulture, $"</p><p><label>{T("your-review")}<br><textarea name=\"text\" rows=\"5\" cols=\"60\" maxlength=\"4000\"></textarea></label></p><button type=\"submit\" id=\"submit-review\">{T("submit-review")}</button></form>");
        return PageAsync(context, T("write-review"), body.ToString());
    }

    private static async Task<IResult> SubmitReviewAsync(HttpContext context, ShopService shop, ReviewLinkVerifier verifier, ShareLinkBuilder share, StorefrontDbContext db)
    {
        var lang = UiLocaleMiddleware.Of(context);
        var form = await context.Request.ReadFormAsync(context.RequestAborted);
        int? rating = int.TryParse(form["rating"], NumberStyles.None, CultureInfo.InvariantCulture, out var r) ? r : null;
        ShopReview review;
        try
        {
            // A star link's token names the reviewer, order and product (the customer may open the mail on another
            // device); the rating is the one finally chosen on the form.
            var claims = verifier.Verify(form["token"].ToString());
            var order = claims?.OrderId ?? form["order"].ToString();
            review = await shop.SubmitReviewAsync(new ReviewInput(claims?.CustomerId ?? CustomerId(context), order.Length == 0 ? null : order, claims?.Sku ?? form["sku"].ToString(), rating, form["text"]), context.RequestAborted);
        }
        catch (ShopValidationException ex)
        {
            return await PageAsync(context, Strings.T(lang, "write-review"), $"<p class=\"placeholder\">{E(ex.Message)}</p>", 400);
        }

        var body = new StringBuilder();
        body.Append(CultureInfo.InvariantCulture, $"<p class=\"notice\" id=\"review-thanks\">{Strings.T(lang, "review-thanks")}</p>");
        if (review.Rating >= 4)
        {
            // Sharing is offered after a good review; no reward is ever tied to the stars.
            var customer = await db.ShopCustomers.AsNoTracking().FirstOrDefaultAsync(c => c.Id == review.CustomerId, context.RequestAborted);
            var page = new Uri(await shop.ReviewPageUrlAsync(review.CustomerId, review.Sku, context.RequestAborted));
            var links = share.ForReview(page, Catalogue.Find(review.Sku)?.DisplayName(lang), customer?.Locale ?? lang);
            body.Append(CultureInfo.InvariantCulture, $"<h2>{Strings.T(lang, "share-review")}</h2>").Append(ShareButtons(links, wechatQr: null, id: "review-share"));
        }

        return await PageAsync(context, Strings.T(lang, "review-thanks"), body.ToString());
    }

    private static readonly Dictionary<string, string> NetworkNames = new(StringComparer.Ordinal)
    {
        ["facebook"] = "Facebook", ["x"] = "X", ["linkedin"] = "LinkedIn", ["whatsapp"] = "WhatsApp", ["telegram"] = "Telegram",
        ["line"] = "LINE", ["weibo"] = "Weibo", ["pinterest"] = "Pinterest", ["reddit"] = "Reddit", ["email"] = "E-mail", ["wechat"] = "WeChat",
    };

    /// <summary>A button per network; WeChat (no share URL) as its QR code image when one is given.</summary>
    public static string ShareButtons(IReadOnlyDictionary<string, ShareLink> links, string? wechatQr, string id)
    {
        var html = new StringBuilder(string.Create(CultureInfo.InvariantCulture, $"<p class=\"share\" id=\"{E(id)}\">"));
        foreach (var (network, link) in links)
        {
            var name = NetworkNames.GetValueOrDefault(network, network);
            if (link.Kind == ShareLinkKind.QrCode)
            {
                if (wechatQr is not null)
                {
                    html.Append(CultureInfo.InvariantCulture, $"<span class=\"share-qr\" data-network=\"{E(network)}\"><img id=\"{E(id)}-wechat-qr\" src=\"{E(wechatQr)}\" alt=\"{E(name)} QR code\" width=\"148\" height=\"148\"><br>{E(name)}</span>");
                }

                continue;
            }

            var target = link.Kind == ShareLinkKind.Web ? " target=\"_blank\" rel=\"noopener noreferrer\"" : "";
            html.Append(CultureInfo.InvariantCulture, $"<a class=\"share-button\" data-network=\"{E(network)}\" href=\"{E(link.Url.AbsoluteUri)}\"{target}>{E(name)}</a> ");
        }

        return html.Append("</p>").ToString();
    }

    private static async Task<string> ReferralSectionAsync(ShopCustomer customer, string lang, ReferralCodes codes, ShareLinkBuilder share, ReferralFunnel funnel, CancellationToken ct)
    {
        string T(string key) => Strings.T(lang, key);
        var code = await codes.GetOrCreateAsync(customer.Id, ct);
        var landing = codes.LandingUrl(code.Code);
        // Every button goes through Loyalty's tracked link (/loyalty/s/{network}/{code}), which counts the open for the
        // funnel and redirects to the network; WeChat has no share URL, so its QR code of the landing link is drawn here.
        var links = share.TrackedForReferral(code.Code)
            .Where(l => l.Key != "wechat")
            .Append(new KeyValuePair<string, ShareLink>("wechat", share.ForReferral(landing, customer.Locale)["wechat"]))
            .ToDictionary(l => l.Key, l => l.Value, StringComparer.Ordinal);
        var figures = (await funnel.GetAsync(new ReferralFunnelFilter { AdvocateCustomerId = customer.Id }, ct)).Totals;
        var html = new StringBuilder(string.Create(CultureInfo.InvariantCulture, $"<h2>{T("referral")}</h2><div class=\"card\" id=\"referral\" data-code=\"{E(code.Code)}\">"));
        html.Append(CultureInfo.InvariantCulture, $"<p>{T("referral-intro")}</p><p>{T("referral-link")}: <a id=\"referral-link\" href=\"{E(landing.AbsoluteUri)}\">{E(landing.AbsoluteUri)}</a> · {T("your-code")} <code id=\"referral-code\">{E(code.Code)}</code></p>");
        html.Append(ShareButtons(links, $"/r/{Uri.EscapeDataString(code.Code)}/wechat-qr.png", "referral-share"));
        html.Append(CultureInfo.InvariantCulture, $"<p class=\"muted\" id=\"referral-funnel\">{T("referral-funnel")}: {figures.ShareOpens} · {figures.LandingVisits} · {figures.AttributedOrders} · {figures.Rewards}</p></div>");
        return html.ToString();
    }
}
