using System.Text;
using MimeKit;

namespace Loyalty.Email.Delivery;

/// <summary>
/// Keeps control characters out of subjects and display names before MimeKit formats them. MimeKit 4.15.1 and later
/// already refuse CRLF injection; this is defence in depth, so no template value can ever start a header of its own.
/// </summary>
internal static class HeaderSafety
{
    /// <summary>
    /// Returns <paramref name="value"/> with line breaks and tabs folded into single spaces and every other control
    /// character (NUL, DEL, C1) removed, trimmed.
    /// </summary>
    public static string Clean(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (!NeedsCleaning(value))
        {
            return value;
        }

        var builder = new StringBuilder(value.Length);
        var pendingSpace = false;
        foreach (var c in value)
        {
            if (IsBreak(c))
            {
                pendingSpace = true;
                continue;
            }

            if (char.IsControl(c))
            {
                continue;
            }

            if (pendingSpace && builder.Length > 0 && c != ' ')
            {
                builder.Append(' ');
            }

            pendingSpace = false;
            builder.Append(c);
        }

        return builder.ToString().Trim();
    }

    /// <summary>True when <paramref name="value"/> holds a character <see cref="Clean"/> would change.</summary>
    public static bool NeedsCleaning(string value)
    {
        foreach (var c in value)
        {
            if (char.IsControl(c) || IsBreak(c))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// Cleans the subject and every display name of <paramref name="message"/> in place. Values already clean are not
    /// touched, so a message that was clean when it was DKIM-signed stays byte-for-byte the same.
    /// </summary>
    public static void Apply(MimeMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (message.Subject is { } subject && NeedsCleaning(subject))
        {
            message.Subject = Clean(subject);
        }

        if (message.Sender is { } sender)
        {
            CleanName(sender);
        }

        foreach (var list in new[] { message.From, message.ReplyTo, message.To, message.Cc, message.Bcc })
        {
            foreach (var address in list)
            {
                CleanAddress(address);
            }
        }
    }

    private static void CleanAddress(InternetAddress address)
    {
        CleanName(address);
        if (address is GroupAddress group)
        {
            foreach (var member in group.Members)
            {
                CleanAddress(member);
            }
        }
    }

    private static void CleanName(InternetAddress address)
    {
        if (address.Name is { } name && NeedsCleaning(name))
        {
            address.Name = Clean(name);
        }
    }

    // U+2028/U+2029 are not control characters but some clients render them as line breaks.
    private static bool IsBreak(char c) => c is '\r' or '\n' or '\t' or '\u0085' or '\u2028' or '\u2029';
}
