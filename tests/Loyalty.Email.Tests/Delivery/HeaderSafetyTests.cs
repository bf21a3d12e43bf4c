using Loyalty.Email.Delivery;
using MimeKit;

namespace Loyalty.Email.Tests.Delivery;

public sealed class HeaderSafetyTests
{
    [Theory]
    [InlineData("Thanks!\r\nBcc: victim@example.org", "Thanks! Bcc: victim@example.org")]
    [InlineData("Line\nbreak", "Line break")]
    [InlineData("Carriage\rreturn", "Carriage return")]
    [InlineData("Nul\0byte", "Nulbyte")]
    [InlineData("Tab\there", "Tab here")]
    [InlineData("Bell\u0007 and DEL\u007f and C1\u0085next", "Bell and DEL and C1 next")]
    [InlineData("Unicode\u2028line\u2029para", "Unicode line para")]
    [InlineData("\r\n  leading and trailing \r\n", "leading and trailing")]
    [InlineData("Ünïcödé 茶 ชา stays", "Ünïcödé 茶 ชา stays")]
    public void Clean_removes_control_characters_and_folds_line_breaks_into_spaces(string input, string expected) =>
        HeaderSafety.Clean(input).Should().Be(expected);

    [Fact]
    public void A_clean_value_is_returned_as_the_same_instance()
    {
        const string subject = "Your 5th order — thank you";

        HeaderSafety.Clean(subject).Should().BeSameAs(subject);
    }

    [Fact]
    public void Apply_cleans_display_names_in_every_address_list_and_inside_groups()
    {
        var message = new MimeMessage();
        message.From.Add(new MailboxAddress("Shop\r\nX: 1", "shop@example.com"));
        message.ReplyTo.Add(new MailboxAddress("Desk\n", "desk@example.com"));
        message.To.Add(new GroupAddress("Team\r\n", [new MailboxAddress("Ann\0", "ann@example.net")]));
        message.Sender = new MailboxAddress("Bot\r", "bot@example.com");

        HeaderSafety.Apply(message);

        message.From.Mailboxes.Single().Name.Should().Be("Shop X: 1");
        message.ReplyTo.Mailboxes.Single().Name.Should().Be("Desk");
        message.To.OfType<GroupAddress>().Single().Name.Should().Be("Team");
        message.To.Mailboxes.Single().Name.Should().Be("Ann");
        message.Sender.Name.Should().Be("Bot");
    }

    [Fact]
    public void NeedsCleaning_flags_exactly_the_control_characters_and_the_unicode_line_separators()
    {
        var flagged = Enumerable.Range(0, char.MaxValue + 1).Select(c => (char)c)
            .Where(c => HeaderSafety.NeedsCleaning("ok " + c + " ok")).ToList();

        flagged.Should().Equal(Enumerable.Range(0, char.MaxValue + 1).Select(c => (char)c)
            .Where(c => char.IsControl(c) || c is '\u2028' or '\u2029'));
        flagged.Should().HaveCount(0x20 + 0x21 + 2);
    }
}
