using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using Loyalty.Storefront.Data;
using Loyalty.Storefront.Demo;
using Microsoft.EntityFrameworkCore;

namespace Loyalty.Storefront.Web;

/// <summary>Server-rendered HTML: one layout, encoding helpers, the current customer and the demo-clock widget.</summary>
public static class Html
{
    public const string CustomerCookie = "sf_customer";
    public const string DefaultCustomer = "alice";

    public static string E(string? value) => HtmlEncoder.Default.Encode(value ?? "");

    public static string Money(decimal amount, string currency) => string.Create(CultureInfo.InvariantCulture, $"{currency} {amount:#,0}");

    public static string Time(DateTimeOffset? value) => value is { } v ? v.UtcDateTime.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture) : "";

    public static string CustomerId(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return context.Request.Cookies.TryGetValue(CustomerCookie, out var id) && !string.IsNullOrWhiteSpace(id) ? id : DefaultCustomer;
    }

    public static async Task<IResult> PageAsync(HttpContext context, string title, string body, int statusCode = 200)
    {
        ArgumentNullException.ThrowIfNull(context);
        var lang = UiLocaleMiddleware.Of(context);
        string T(string key) => Strings.T(lang, key);
        var db = context.RequestServices.GetRequiredService<StorefrontDbContext>();
        var customers = await db.ShopCustomers.AsNoTracking().OrderBy(c => c.CreatedAt).ThenBy(c => c.Id).Take(50).ToListAsync(context.RequestAborted);
        var current = CustomerId(context);
        var cartCount = Cart.Read(context).Sum(l => l.Quantity);
        var path = context.Request.Path + context.Request.QueryString;

        var html = new StringBuilder();
        html.Append(CultureInfo.InvariantCulture, $"<!doctype html><html lang=\"{E(lang)}\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">");
        html.Append(CultureInfo.InvariantCulture, $"<title>{E(title)} · Tea &amp; Kettle</title><style>{Css}</style></head><body>");
        html.Append("<header><nav><a class=\"brand\" href=\"/\">Tea &amp; Kettle</a>");
        html.Append(CultureInfo.InvariantCulture, $"<a href=\"/\">{T("shop")}</a><a href=\"/cart\" id=\"nav-cart\">{T("cart")} ({cartCount})</a><a href=\"/account\">{T("account")}</a><a href=\"/admin\">{T("admin")}</a>");
        html.Append("<span class=\"spacer\"></span>");
        html.Append(CultureInfo.InvariantCulture, $"<a href=\"?lang=en\">English</a> · <a href=\"?lang=zh-TW\">繁體中文</a>");
        html.Append("</nav><form class=\"who\" method=\"get\" action=\"/switch\">");
        html.Append(CultureInfo.InvariantCulture, $"<label>{T("signed-in-as")} <select name=\"customer\" id=\"customer-switch\">");
        foreach (var c in customers)
        {
            html.Append(CultureInfo.InvariantCulture, $"<option value=\"{E(c.Id)}\"{(c.Id == current ? " selected" : "")}>{E(c.Name)} ({E(c.Locale)})</option>");
        }

        html.Append(CultureInfo.InvariantCulture, $"</select></label><input type=\"hidden\" name=\"return\" value=\"{E(path)}\"><button type=\"submit\">{T("switch")}</button></form>");
        if (context.RequestServices.GetService<DemoClock>() is { } clock)
        {
            html.Append(CultureInfo.InvariantCulture, $"<form class=\"clock\" method=\"post\" action=\"/dev/clock\"><strong>{T("demo-clock")}:</strong> <span id=\"demo-now\">{E(Time(clock.GetUtcNow()))}</span> ");
            html.Append(CultureInfo.InvariantCulture, $"<input type=\"hidden\" name=\"return\" value=\"{E(path)}\">");
            foreach (var (hours, label) in new[] { (1, "+1h"), (12, "+12h"), (24, "+1d"), (24 * 7, "+7d"), (24 * 30, "+30d") })
            {
                html.Append(CultureInfo.InvariantCulture, $"<button type=\"submit\" name=\"hours\" value=\"{hours}\" id=\"clock-{E(label.TrimStart('+'))}\">{label}</button> ");
            }

            html.Append(CultureInfo.InvariantCulture, $"<button type=\"submit\" name=\"dispatch\" value=\"1\" id=\"clock-dispatch\">{T("dispatch")}</button></form>");
        }

        html.Append("</header><main>");
        html.Append(CultureInfo.InvariantCulture, $"<h1>{E(title)}</h1>");
        html.Append(body);
        html.Append("</main></body></html>");
        return Results.Content(html.ToString(), "text/html; charset=utf-8", Encoding.UTF8, statusCode);
    }

    private const string Css = """
        body{font-family:system-ui,-apple-system,"Noto Sans TC",sans-serif;margin:0;color:#222;background:#faf9f6;line-height:1.5}
        header{background:#2f4f3a;color:#fff;padding:.5rem 1rem}header a{color:#fff;margin-right:1rem}
        nav{display:flex;align-items:center;flex-wrap:wrap}.brand{font-weight:700;font-size:1.2rem}.spacer{flex:1}
        .who,.clock{display:inline-block;margin:.4rem 1rem .2rem 0;font-size:.9rem}.clock{background:#fff3;padding:.2rem .5rem;border-radius:4px}
        main{max-width:72rem;margin:1rem auto;padding:0 1rem}table{border-collapse:collapse;width:100%;margin:.5rem 0 1.5rem}
        th,td{border-bottom:1px solid #ddd;padding:.35rem .5rem;text-align:left;vertical-align:top;font-size:.92rem}
        .grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(14rem,1fr));gap:1rem}
        .card{background:#fff;border:1px solid #e2e0da;border-radius:6px;padding:1rem}.muted{color:#777}
        .state-Sent{color:#1a7f37}.state-Skipped{color:#9a6700}.state-Held{color:#0969da}.state-Failed{color:#cf222e}
        .stars a{font-size:1.4rem;text-decoration:none;color:#d4a017}pre{white-space:pre-wrap;background:#fff;border:1px solid #ddd;padding:.5rem}
        iframe{width:100%;height:32rem;border:1px solid #ccc;background:#fff}.notice{background:#e6f4ea;padding:.5rem 1rem;border-radius:4px}
        .placeholder{background:#fff8e1;padding:.5rem 1rem;border-radius:4px}code{background:#eee;padding:0 .2rem}
        .share-button{display:inline-block;margin:.2rem .2rem .2rem 0;padding:.3rem .75rem;border-radius:4px;background:#2f4f3a;color:#fff;text-decoration:none;font-size:.9rem}
        .share-qr{display:inline-block;margin-left:1rem;text-align:center;vertical-align:middle;font-size:.85rem}
        """;
}

/// <summary>The cart: a cookie <c>sku:qty|sku:qty</c> (a sample needs no server session).</summary>
public static class Cart
{
    public const string CookieName = "sf_cart";

    public sealed record Line(string Sku, int Quantity);

    public static IReadOnlyList<Line> Read(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (!context.Request.Cookies.TryGetValue(CookieName, out var value) || string.IsNullOrEmpty(value))
        {
            return [];
        }

        var lines = new List<Line>();
        foreach (var part in value.Split('|', StringSplitOptions.RemoveEmptyEntries))
        {
            var pieces = part.Split(':');
            if (pieces.Length == 2 && Shop.Catalogue.Find(pieces[0]) is not null && int.TryParse(pieces[1], NumberStyles.None, CultureInfo.InvariantCulture, out var q) && q is > 0 and < 100)
            {
                lines.Add(new Line(pieces[0], q));
            }
        }

        return lines;
    }

    public static void Write(HttpContext context, IEnumerable<Line> lines)
    {
        ArgumentNullException.ThrowIfNull(context);
        var value = string.Join('|', lines.Select(l => string.Create(CultureInfo.InvariantCulture, $"{l.Sku}:{l.Quantity}")));
        context.Response.Cookies.Append(CookieName, value, new CookieOptions { HttpOnly = true, SameSite = SameSiteMode.Lax, IsEssential = true });
    }
}
