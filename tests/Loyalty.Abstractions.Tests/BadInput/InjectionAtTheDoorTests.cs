using Loyalty.Events;
using Loyalty.Validation;

namespace Loyalty.Abstractions.Tests.BadInput;

/// <summary>Addresses and names that would smuggle SMTP commands or headers are refused at the door.</summary>
public sealed class InjectionAtTheDoorTests
{
    private static readonly DateTimeOffset At = new(2026, 11, 1, 9, 0, 0, TimeSpan.FromHours(8));
    private readonly LoyaltyEventValidator _validator = new(new LoyaltyInputLimits());

    public static TheoryData<string> SmugglingAddresses() => new()
    {
        "\"a\r\nRCPT TO:<x>\"@d",
        "\"a\r\nRCPT TO:<x@evil.example>\"@shop.example",
        "a\r\nRCPT TO:<x@evil.example>@shop.example",
        "mei@shop.example\r\nRCPT TO:<x@evil.example>",
        "mei@shop.example\nBcc: x@evil.example",
        "mei@shop.example\rBcc: x@evil.example",
        "mei\0@shop.example",
        "mei@shop.example\0",
        "mei@shop.example>\r\nDATA",
        "<mei@shop.example>",
        "Mei <mei@shop.example>",
        "mei@shop.example, x@evil.example",
        "mei@shop.example x@evil.example",
        "mei@shop.example;x@evil.example",
        "mei@[127.0.0.1]",
        "mei(comment)@shop.example",
        "mei@shop.example\u2028Bcc: x@evil.example",
        "mei@shop.example\u0085Bcc: x@evil.example",
    };

    [Theory]
    [MemberData(nameof(SmugglingAddresses))]
    public void An_address_that_could_smuggle_a_command_or_a_header_is_refused(string address)
    {
        EmailAddressRules.IsValid(address).Should().BeFalse();
        var e = new CustomerUpserted { EventId = "evt-1", OccurredAt = At, CustomerId = "cust-1", Customer = new CustomerSnapshot { Email = address } };

        var act = () => _validator.ThrowIfInvalid(e);

        var error = act.Should().Throw<EventValidationException>().Which;
        error.Problems.Should().ContainSingle().Which.Field.Should().Be("Customer.Email");
        error.Message.Should().NotContain("\r").And.NotContain("\n").And.NotContain("\0");
    }

    [Fact]
    public void An_address_with_a_lone_surrogate_is_refused_as_malformed_unicode()
    {
        // Not a theory: xUnit would turn the lone surrogates into U+FFFD on the way to the test.
        foreach (var address in new[] { "mei\ud800@shop.example", "\udc00mei@shop.example", "mei@shop\ud800.example" })
        {
            EmailAddressRules.Check(address).Should().Contain("lone surrogate", address);
        }

        EmailAddressRules.IsValid("\ud83d\ude06mei@shop.example").Should().BeTrue("a surrogate pair is one well-formed character");
    }

    public static TheoryData<string> LineBreaks() => new() { "\r\n", "\n", "\r", "\0", "\u2028", "\u2029", "\u0085", "\u001b", "\u007f" };

    [Theory]
    [MemberData(nameof(LineBreaks))]
    public void A_name_with_a_line_break_or_control_character_is_refused_in_every_name_field(string breaker)
    {
        var name = "Mei" + breaker + "Bcc: x@evil.example";
        var order = new OrderPlaced
        {
            EventId = "evt-1",
            OccurredAt = At,
            CustomerId = "cust-1",
            Customer = new CustomerSnapshot { Email = "mei@shop.example", FirstName = name, LastName = name },
            OrderId = "order-1",
            Currency = "TWD",
            Total = 10m,
            Lines = [new OrderLine { Sku = "kit", ProductName = name, Quantity = 1, UnitPrice = 10m }],
        };

        _validator.Validate(order).Select(p => p.Field).Should().BeEquivalentTo("Customer.FirstName", "Customer.LastName", "Lines[0].ProductName");
    }
}
