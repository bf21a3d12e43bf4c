using System.Text;
using System.Text.Encodings.Web;

namespace Loyalty.AspNetCore.Pages;

/// <summary>The small self-contained HTML pages the endpoints answer with (no layout, no scripts, no cookies).</summary>
internal static class LoyaltyPage
{
    public static string Render(string title, string bodyHtml)
    {
        var html = new StringBuilder();
        html.Append("<!doctype html><html><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width\">");
        html.Append("<title>").Append(HtmlEncoder.Default.Encode(title)).Append("</title>");
        html.Append("<style>body{font-family:system-ui,sans-serif;max-width:32rem;margin:3rem auto;padding:0 1rem;line-height:1.5}button{font-size:1rem;padding:.5rem 1rem}</style>");
        html.Append("</head><body>").Append(bodyHtml).Append("</body></html>");
        return html.ToString();
    }

    public static string Encode(string? value) => HtmlEncoder.Default.Encode(value ?? "");

    /// <summary>Every failure looks the same: nothing tells a prober whether a token was forged, expired or for another purpose.</summary>
    public static Microsoft.AspNetCore.Http.IResult NotFound() => Microsoft.AspNetCore.Http.Results.Content(
        Render("Not found", "<h1>This link is not valid</h1>"), "text/html; charset=utf-8", statusCode: Microsoft.AspNetCore.Http.StatusCodes.Status404NotFound);
}
