using MimeKit;

namespace Loyalty.Email.Delivery;

/// <summary>The one-recipient-per-message rule every transport enforces, so a result always speaks of one address.</summary>
internal static class SingleRecipient
{
    /// <summary>Throws <see cref="ArgumentException"/> unless To, Cc and Bcc together hold exactly one mailbox.</summary>
    public static MailboxAddress Ensure(MimeMessage message, string paramName)
    {
        ArgumentNullException.ThrowIfNull(message, paramName);
        MailboxAddress? only = null;
        var count = 0;
        foreach (var mailbox in message.To.Mailboxes.Concat(message.Cc.Mailboxes).Concat(message.Bcc.Mailboxes))
        {
            only = mailbox;
            count++;
        }

        if (count != 1 || only is null)
        {
            throw new ArgumentException($"A message must have exactly one recipient in To, Cc and Bcc; this one has {count}.", paramName);
        }

        return only;
    }
}
