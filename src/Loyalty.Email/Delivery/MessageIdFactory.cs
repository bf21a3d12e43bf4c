using System.Globalization;
using MimeKit;

namespace Loyalty.Email.Delivery;

/// <summary>
/// Derives a message's Message-ID from the id of the row that sends it, so every retry of that row carries the same
/// Message-ID and a receiver (or our own send log) recognises it as the same message.
/// </summary>
public static class MessageIdFactory
{
    /// <summary>Returns <c>&lt;{rowId:N}@{domain}&gt;</c>, the Message-ID as it appears on the wire.</summary>
    /// <param name="rowId">The id of the scheduled row; never <see cref="Guid.Empty"/>.</param>
    /// <param name="domain">The sending domain, such as <c>mail.example.com</c>.</param>
    /// <exception cref="ArgumentException">The row id is empty or the domain is not a host name.</exception>
    public static string Create(Guid rowId, string domain) => "<" + CreateAddress(rowId, domain) + ">";

    /// <summary>
    /// Returns <c>{rowId:N}@{domain}</c> without angle brackets, the form <see cref="MimeMessage.MessageId"/> takes.
    /// </summary>
    /// <param name="rowId">The id of the scheduled row; never <see cref="Guid.Empty"/>.</param>
    /// <param name="domain">The sending domain, such as <c>mail.example.com</c>.</param>
    /// <exception cref="ArgumentException">The row id is empty or the domain is not a host name.</exception>
    public static string CreateAddress(Guid rowId, string domain)
    {
        if (rowId == Guid.Empty)
        {
            throw new ArgumentException("The row id must not be empty.", nameof(rowId));
        }

        ArgumentException.ThrowIfNullOrWhiteSpace(domain);
        if (!IsHostName(domain))
        {
            throw new ArgumentException($"'{domain}' is not a host name (ASCII letters, digits, '-' and '.').", nameof(domain));
        }

        return rowId.ToString("N", CultureInfo.InvariantCulture) + "@" + domain.ToLowerInvariant();
    }

    /// <summary>Sets the Message-ID of <paramref name="message"/> derived from <paramref name="rowId"/>.</summary>
    /// <param name="message">The message to stamp.</param>
    /// <param name="rowId">The id of the scheduled row; never <see cref="Guid.Empty"/>.</param>
    /// <param name="domain">The sending domain.</param>
    public static void Apply(MimeMessage message, Guid rowId, string domain)
    {
        ArgumentNullException.ThrowIfNull(message);
        message.MessageId = CreateAddress(rowId, domain);
    }

    private static bool IsHostName(string domain)
    {
        if (domain.Length > 253 || domain.StartsWith('.') || domain.EndsWith('.') || domain.Contains("..", StringComparison.Ordinal))
        {
            return false;
        }

        foreach (var c in domain)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '-' or '.'))
            {
                return false;
            }
        }

        return true;
    }
}
