namespace Loyalty.Referrals.Fraud;

/// <summary>
/// The form in which two addresses of one person compare equal: lower-case, any <c>+tag</c> removed from the local
/// part, and for Gmail (gmail.com and googlemail.com, the same mailboxes) the dots removed, since Gmail ignores them.
/// </summary>
public static class ReferralEmailNormalizer
{
    /// <summary>The normalised address; input without '@' is only trimmed and lower-cased.</summary>
    public static string Normalize(string email)
    {
        ArgumentNullException.ThrowIfNull(email);
        var address = email.Trim().ToLowerInvariant();
        var at = address.LastIndexOf('@');
        if (at <= 0)
        {
            return address;
        }

        var local = address[..at];
        var domain = address[(at + 1)..];
        var plus = local.IndexOf('+', StringComparison.Ordinal);
        if (plus >= 0)
        {
            local = local[..plus];
        }

        if (domain is "gmail.com" or "googlemail.com")
        {
            local = local.Replace(".", "", StringComparison.Ordinal);
            domain = "gmail.com";
        }

        return local + "@" + domain;
    }
}
