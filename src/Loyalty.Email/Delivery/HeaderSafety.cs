using System.Buffers;
using System.Text;
using MimeKit;

namespace Loyalty.Email.Delivery;

/// <summary>
/// Keeps control characters out of subjects and display names before MimeKit formats them. MimeKit 4.15.1 and later
/// already refuse CRLF injection; this is defence in depth, so no template value can ever start a header of its own.
/// </summary>
internal static class HeaderSafety
{
    // Every character Clean changes: the control characters (C0, DEL, C1, which include CR, LF, TAB and NEL) and the
    // two Unicode separators; a vectorised search, since every subject and display name of every message is checked.
    private static readonly SearchValues<char> Unsafe = SearchValues.Create(
        [.. Enumerable.Range(0, 0x20).Select(c => (char)c), .. Enumerable.Range(0x7F, 0x21).Select(c => (char)c), '\u2028', '\u2029']);

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
    public static bool NeedsCleaning(string value) => value.AsSpan().ContainsAny(Unsafe);

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

        // One call per list instead of a loop over a new array of them: this runs for every message sent.
        CleanList(message.From);
        CleanList(message.ReplyTo);
        CleanList(message.To);
        CleanList(message.Cc);
        CleanList(message.Bcc);
    }

    private static void CleanList(InternetAddressList list)
    {
        for (var i = 0; i < list.Count; i++)
        {
            CleanAddress(list[i]);
        }
    }

    private static void CleanAddress(InternetAddress address)
    {
        CleanName(address);
        if (address is GroupAddress group)
        {
            CleanList(group.Members);
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
