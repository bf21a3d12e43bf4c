using Loyalty.Email.Delivery;

namespace Loyalty.Email.Tests.Delivery;

public sealed class SmtpErrorsTests
{
    [Theory]
    [InlineData(550, "5.1.1 <x@example.net>: Recipient address rejected", true)]
    [InlineData(550, "5.1.10 Recipient address rejected: null MX", true)]
    [InlineData(553, "5.1.3 Bad recipient address syntax", true)]
    [InlineData(550, "Requested action not taken: mailbox unavailable", true)]
    [InlineData(551, "User not local", true)]
    [InlineData(553, "Mailbox name not allowed", true)]
    [InlineData(550, "5.7.1 Message refused by local policy", false)]
    [InlineData(552, "5.2.2 Mailbox full", false)]
    [InlineData(554, "Transaction failed", false)]
    public void Only_a_refusal_of_the_address_itself_counts_as_a_hard_bounce(int code, string text, bool expected) =>
        SmtpErrors.IsAddressProblem(code, text).Should().Be(expected);
}
