using Loyalty.Email.Templates;
using MimeKit;

namespace Loyalty.Email.Composition;

/// <summary>Signs a composed message (DKIM) before it is handed to a transport.</summary>
public interface IMessageSigner
{
    /// <summary>Signs <paramref name="message"/> in place; nothing may change the message after this.</summary>
    void Sign(MimeMessage message);
}

/// <summary>What the composer needs besides the rendered content.</summary>
/// <param name="From">The From mailbox.</param>
/// <param name="ReplyTo">An optional Reply-To.</param>
/// <param name="ToAddress">The one recipient.</param>
/// <param name="ToName">The recipient's display name.</param>
/// <param name="MessageId">The stable Message-ID (without angle brackets).</param>
/// <param name="UnsubscribeUrl">The one-click unsubscribe URL, when the message must carry List-Unsubscribe.</param>
/// <param name="Date">The Date header.</param>
public sealed record Envelope(string From, string? ReplyTo, string ToAddress, string? ToName, string MessageId, Uri? UnsubscribeUrl, DateTimeOffset Date);

/// <summary>Builds the MIME message from a rendered e-mail. Knows nothing of SMTP.</summary>
public static class EmailMessageComposer
{
    /// <summary>Composes a multipart/alternative message (text, then HTML) with one recipient.</summary>
    public static MimeMessage Compose(RenderedEmail content, Envelope envelope)
    {
        ArgumentNullException.ThrowIfNull(content);
        ArgumentNullException.ThrowIfNull(envelope);
        // Not MimeMessage(): it reads the machine's clock for Date and looks the host name up for a Message-ID that
        // are both replaced below (12 of a composed message's 40 µs, measured).
        var message = new MimeMessage((IEnumerable<Header>)[]);
        message.From.Add(MailboxAddress.Parse(envelope.From));
        message.Date = envelope.Date;
        message.Subject = SingleLine(content.Subject);
        message.MessageId = envelope.MessageId;
        if (envelope.ReplyTo is { Length: > 0 } replyTo)
        {
            message.ReplyTo.Add(MailboxAddress.Parse(replyTo));
        }

        message.To.Add(new MailboxAddress(SingleLine(envelope.ToName), envelope.ToAddress));
        if (envelope.UnsubscribeUrl is { } unsubscribe)
        {
            // RFC 8058: the HTTPS URL plus the one-click marker; both end up covered by the DKIM signature.
            message.Headers.Add("List-Unsubscribe", $"<{unsubscribe.AbsoluteUri}>");
            message.Headers.Add("List-Unsubscribe-Post", "List-Unsubscribe=One-Click");
        }

        var body = new BodyBuilder { TextBody = content.Text, HtmlBody = content.Html };
        message.Body = body.ToMessageBody();
        return message;
    }

    /// <summary>Removes line breaks and control characters: a header value is one line, always.</summary>
    public static string SingleLine(string? value) => string.IsNullOrEmpty(value) ? "" : Delivery.HeaderSafety.Clean(value);
}
