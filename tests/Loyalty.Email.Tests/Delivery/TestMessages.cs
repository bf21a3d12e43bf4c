using Loyalty.Email.Delivery;
using MimeKit;

namespace Loyalty.Email.Tests.Delivery;

internal static class TestMessages
{
    public static MimeMessage To(string recipient, Guid? rowId = null, string subject = "Your starter kit, 30 days on")
    {
        var message = new MimeMessage();
        message.From.Add(new MailboxAddress("Tea Shop", "hello@shop.example"));
        message.To.Add(MailboxAddress.Parse(recipient));
        message.Subject = subject;
        message.Date = new DateTimeOffset(2026, 11, 22, 10, 0, 0, TimeSpan.Zero);
        MessageIdFactory.Apply(message, rowId ?? Guid.NewGuid(), "shop.example");
        var body = new BodyBuilder
        {
            TextBody = "How is the kettle treating you? Reply to this mail, a human reads it.",
            HtmlBody = "<p>How is the kettle treating you? Reply to this mail, a human reads it.</p>",
        };
        message.Body = body.ToMessageBody();
        return message;
    }

    public static MimeMessage Parse(ReceivedMessage received)
    {
        using var stream = new MemoryStream(received.Raw);
        return MimeMessage.Load(stream);
    }
}
