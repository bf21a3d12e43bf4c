using System.Diagnostics.CodeAnalysis;
using Microsoft.AspNetCore.Http;

namespace Loyalty.AspNetCore;

/// <summary>What the attribution cookie carries: the last referral code the visitor came with and their visitor id.</summary>
/// <param name="Code">The referral code, as the visitor's link carried it.</param>
/// <param name="VisitorId">The visitor's id; the shop passes it as <c>OrderPlaced.VisitorId</c> so the order meets the visit.</param>
public sealed record AttributionCookieValue(string Code, string VisitorId);

/// <summary>
/// The referral attribution cookie <c>loyalty_ref</c> (HttpOnly, SameSite=Lax, Secure on HTTPS): set by the referral
/// landing and the <c>?ref=</c> middleware, read by the shop's checkout to fill <c>OrderPlaced.ReferralCode</c> and
/// <c>OrderPlaced.VisitorId</c>.
/// </summary>
public static class ReferralAttributionCookie
{
    /// <summary>The cookie's name.</summary>
    public const string Name = "loyalty_ref";

    private const int MaxCodeLength = 64;

    /// <summary>The attribution carried by the request's cookie, or null when there is none or it is malformed.</summary>
    public static AttributionCookieValue? Read(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return request.Cookies.TryGetValue(Name, out var value) && TryParse(value, out var attribution) ? attribution : null;
    }

    /// <summary>The visitor id of the request's cookie, or a new one.</summary>
    public static string VisitorIdOrNew(HttpRequest request) => Read(request)?.VisitorId ?? Guid.NewGuid().ToString("N");

    /// <summary>Writes the cookie with <paramref name="attribution"/>, valid for <paramref name="lifetime"/>.</summary>
    public static void Write(HttpResponse response, AttributionCookieValue attribution, TimeSpan lifetime)
    {
        ArgumentNullException.ThrowIfNull(response);
        ArgumentNullException.ThrowIfNull(attribution);
        response.Cookies.Append(Name, $"{attribution.VisitorId}.{attribution.Code}", new CookieOptions
        {
            HttpOnly = true,
            SameSite = SameSiteMode.Lax,
            Secure = response.HttpContext.Request.IsHttps,
            Path = "/",
            MaxAge = lifetime,
            // Not marked essential: a shop that asks for cookie consent (CookiePolicy) decides whether it is written.
            IsEssential = false,
        });
    }

    /// <summary>True when <paramref name="code"/> can be a referral code (letters, digits and '-', at most 64).</summary>
    public static bool IsPlausibleCode([NotNullWhen(true)] string? code) =>
        !string.IsNullOrWhiteSpace(code) && code.Length <= MaxCodeLength && code.All(c => char.IsAsciiLetterOrDigit(c) || c == '-');

    private static bool TryParse(string? value, [NotNullWhen(true)] out AttributionCookieValue? attribution)
    {
        attribution = null;
        var dot = value?.IndexOf('.', StringComparison.Ordinal) ?? -1;
        if (value is null || dot != 32)
        {
            return false;
        }

        var visitor = value[..dot];
        var code = value[(dot + 1)..];
        if (!visitor.All(char.IsAsciiHexDigitLower) || !IsPlausibleCode(code))
        {
            return false;
        }

        attribution = new AttributionCookieValue(code, visitor);
        return true;
    }
}
