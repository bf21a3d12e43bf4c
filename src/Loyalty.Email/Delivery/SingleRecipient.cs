using MimeKit;

namespace Loyalty.Email.Delivery;

/// <summary>The one-recipient-per-message rule every transport enforces, so a result always speaks of one address.</summary>
internal static class SingleRecipient
{
    /// <summary>Throws <see cref="ArgumentException"/> unless To, Cc and Bcc together hold exactly one mailbox.</summary>
    public static MailboxAddress Ensure(MimeMessage message, string paramName)
    {
        ArgumentNullException.ThrowIfNull(message, paramName);

        // Indexed walks rather than Mailboxes.Concat(...): this runs for every message sent, and the LINQ chain cost
        // five iterator objects per message for what is almost always a single address.
        MailboxAddress? only = null;
        var count = 0;
        Count(message.To, ref only, ref count);
        Count(message.Cc, ref only, ref count);
        Count(message.Bcc, ref only, ref count);
        if (count != 1 || only is null)
        {
            throw new ArgumentException($"A message must have exactly one recipient in To, Cc and Bcc; this one has {count}.", paramName);
        }

        return only;
    }

    // The mailboxes of a list, groups included (what InternetAddressList.Mailboxes yields).
    private static void Count(InternetAddressList list, ref MailboxAddress? only, ref int count)
    {
        for (var i = 0; i < list.Count; i++)
        {
            switch (list[i])
            {
                case MailboxAddress mailbox:
                    only = mailbox;
                    count++;
                    break;
                case GroupAddress group:
                    Count(group.Members, ref only, ref count);
                    break;
            }
        }
    }
}
