using System.Security.Cryptography;

namespace Loyalty.Referrals.Codes;

/// <summary>
/// Random codes over an alphabet without the characters people misread or mistype (0/O, 1/I/L), upper-case only,
/// so a code read aloud or copied from a screenshot still works.
/// </summary>
public static class ReferralCodeGenerator
{
    /// <summary>The alphabet of generated codes: digits 2–9 and letters without I, L and O.</summary>
    public const string Alphabet = "23456789ABCDEFGHJKMNPQRSTUVWXYZ";

    /// <summary>A new random code of <paramref name="length"/> characters, from a cryptographic source (codes are not guessable).</summary>
    public static string Generate(int length)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(length, 1);
        return RandomNumberGenerator.GetString(Alphabet, length);
    }

    /// <summary>The form codes are stored and compared in: trimmed, upper-case.</summary>
    public static string Normalize(string code)
    {
        ArgumentNullException.ThrowIfNull(code);
        return code.Trim().ToUpperInvariant();
    }

    /// <summary>
    /// Null when <paramref name="vanity"/> is an acceptable vanity code, else the reason: 4 to 24 ASCII letters, digits
    /// and single hyphens, starting with a letter or digit (anything a URL path and a checkout field keep intact).
    /// </summary>
    public static string? CheckVanity(string? vanity)
    {
        if (string.IsNullOrWhiteSpace(vanity))
        {
            return "is required.";
        }

        var code = vanity.Trim();
        if (code.Length is < 4 or > 24)
        {
            return "must be 4 to 24 characters long.";
        }

        if (!code.All(c => char.IsAsciiLetterOrDigit(c) || c == '-'))
        {
            return "may contain only letters A–Z, digits and '-'.";
        }

        if (code[0] == '-' || code[^1] == '-' || code.Contains("--", StringComparison.Ordinal))
        {
            return "must not start or end with '-' or contain '--'.";
        }

        return null;
    }
}
