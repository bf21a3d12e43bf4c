using System.Globalization;
using System.Text;

namespace Loyalty.Validation;

/// <summary>
/// Which e-mail addresses Loyalty accepts: one mailbox as <c>local@domain</c>, the local part a dot-atom
/// (RFC 5322 §3.2.3, UTF-8 allowed per RFC 6531), the domain a host name of letter-digit-hyphen labels with at
/// least one dot. Quoted local parts, comments, IP literals and obsolete forms are refused on purpose: they are
/// valid in theory, almost never real, and they are how header and command injection gets in.
/// </summary>
public static class EmailAddressRules
{
    private const string AtomSpecials = "!#$%&'*+-/=?^_`{|}~";

    /// <summary>Returns null when <paramref name="address"/> is acceptable, else the reason it is not.</summary>
    public static string? Check(string? address)
    {
        if (string.IsNullOrEmpty(address))
        {
            return "is required.";
        }

        // Limits are in octets of UTF-8 (RFC 6531); the cheap character count first, so a huge input is never scanned.
        if (address.Length > 254)
        {
            return "is longer than 254 bytes (RFC 5321 §4.5.3.1.3).";
        }

        if (HasLoneSurrogate(address))
        {
            return "is not well-formed Unicode (a lone surrogate).";
        }

        if (Encoding.UTF8.GetByteCount(address) > 254)
        {
            return "is longer than 254 bytes (RFC 5321 §4.5.3.1.3).";
        }

        var at = address.LastIndexOf('@');
        if (at <= 0 || at == address.Length - 1)
        {
            return "must have the form local@domain.";
        }

        var local = address.AsSpan(0, at);
        var domain = address.AsSpan(at + 1);
        if (local.Length > 64 || Encoding.UTF8.GetByteCount(local) > 64)
        {
            return "has a local part longer than 64 bytes (RFC 5321 §4.5.3.1.1).";
        }

        if (local[0] == '.' || local[^1] == '.' || local.Contains("..", StringComparison.Ordinal))
        {
            return "has a dot at the start or end of the local part, or two dots in a row.";
        }

        foreach (var c in local)
        {
            if (!IsAtomChar(c) && c != '.')
            {
                return c < 0x20 || c == 0x7F
                    ? "contains a control character."
                    : $"contains '{c}', which is not allowed in an unquoted local part (quoted local parts are not accepted).";
            }
        }

        return CheckDomain(domain);
    }

    /// <summary>True when <paramref name="address"/> is acceptable.</summary>
    public static bool IsValid(string? address) => Check(address) is null;

    /// <summary>
    /// The form used to compare addresses: trimmed and lower-cased (domains are case-insensitive, and shops
    /// treat local parts the same way in practice).
    /// </summary>
    public static string Normalize(string address)
    {
        ArgumentNullException.ThrowIfNull(address);
        return address.Trim().ToLowerInvariant();
    }

    private static bool HasLoneSurrogate(string value)
    {
        for (var i = 0; i < value.Length; i++)
        {
            if (char.IsHighSurrogate(value[i]) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(value[i]))
            {
                return true;
            }
        }

        return false;
    }

    private static bool IsAtomChar(char c)
    {
        if (c < 0x80)
        {
            return char.IsAsciiLetterOrDigit(c) || AtomSpecials.Contains(c, StringComparison.Ordinal);
        }

        // UTF-8 local parts (RFC 6531) are fine; control, space and separator characters are not.
        var category = char.GetUnicodeCategory(c);
        return category is not (UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.SpaceSeparator
            or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator or UnicodeCategory.OtherNotAssigned);
    }

    private static string? CheckDomain(ReadOnlySpan<char> domain)
    {
        if (domain.Length > 253)
        {
            return "has a domain longer than 253 characters.";
        }

        if (domain[0] == '[')
        {
            return "has an address literal as domain, which is not accepted.";
        }

        var labels = 0;
        foreach (var range in domain.Split('.'))
        {
            var label = domain[range];
            labels++;
            if (label.Length == 0)
            {
                return "has an empty label in the domain.";
            }

            if (label.Length > 63)
            {
                return "has a domain label longer than 63 characters.";
            }

            if (label[0] == '-' || label[^1] == '-')
            {
                return "has a domain label that starts or ends with a hyphen.";
            }

            foreach (var c in label)
            {
                var ok = c < 0x80 ? char.IsAsciiLetterOrDigit(c) || c == '-' : char.IsLetterOrDigit(c);
                if (!ok)
                {
                    return $"contains '{(c < 0x20 ? ' ' : c)}' in the domain, which is not allowed.";
                }
            }
        }

        if (labels < 2)
        {
            return "has a domain without a dot; use a fully qualified domain.";
        }

        return null;
    }
}
