using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace Loyalty.Email.Delivery;

/// <summary>
/// The file names of the development mailbox: <c>{UTC time, 100 ns}Z-{16 hex of SHA-256(Message-ID)}.eml</c>.
/// Fixed width, so ordinal order is time order.
/// </summary>
internal static partial class MailboxFileName
{
    public const string Extension = ".eml";
    private const string TimeFormat = "yyyyMMdd'T'HHmmssfffffff'Z'";

    public static string Create(DateTimeOffset writtenAt, string? messageId)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(messageId ?? Guid.NewGuid().ToString()));
        return writtenAt.UtcDateTime.ToString(TimeFormat, CultureInfo.InvariantCulture) + "-"
            + Convert.ToHexStringLower(hash, 0, 8) + Extension;
    }

    /// <summary>True when <paramref name="id"/> (a file name without extension) is one this transport wrote.</summary>
    public static bool TryParse(string id, out DateTimeOffset writtenAt)
    {
        writtenAt = default;
        return IdPattern().IsMatch(id)
            && DateTimeOffset.TryParseExact(id[..id.IndexOf('-', StringComparison.Ordinal)], TimeFormat, CultureInfo.InvariantCulture,
                DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out writtenAt);
    }

    [GeneratedRegex("^[0-9]{8}T[0-9]{13}Z-[0-9a-f]{16}$", RegexOptions.CultureInvariant)]
    private static partial Regex IdPattern();
}
