using Loyalty.Events;
using Loyalty.Validation;

namespace Loyalty.Abstractions.Tests;

public class EventValidationTests
{
    private readonly LoyaltyEventValidator _validator = new(new LoyaltyInputLimits());

    private static OrderPlaced ValidOrder() => new()
    {
        EventId = "evt-1",
        OccurredAt = new DateTimeOffset(2026, 11, 1, 9, 0, 0, TimeSpan.FromHours(8)),
        CustomerId = "cust-1",
        Customer = new CustomerSnapshot { Email = "mei@example.com", FirstName = "Mei", Locale = "zh-TW", TimeZone = "Asia/Taipei" },
        OrderId = "order-1",
        Currency = "TWD",
        Total = 1200m,
        Lines = [new OrderLine { Sku = "starter-kit", ProductName = "Starter Kit", Quantity = 1, UnitPrice = 1200m, Tags = ["starter-kit"] }],
    };

    [Fact]
    public void A_valid_order_has_no_problems()
    {
        _validator.Validate(ValidOrder()).Should().BeEmpty();
    }

    [Fact]
    public void A_locale_gets_the_same_answer_every_time_it_is_checked()
    {
        foreach (var round in Enumerable.Range(0, 3))
        {
            foreach (var locale in new[] { "zh-TW", "ZH-tw", "th-TH", "en" })
            {
                _validator.Validate(ValidOrder() with { Customer = ValidOrder().Customer! with { Locale = locale } }).Should().BeEmpty($"{locale} is a culture (round {round})");
            }

            foreach (var locale in new[] { "xx-Klingon", "en_US!", "zz-ZZ-zz" })
            {
                _validator.Validate(ValidOrder() with { Customer = ValidOrder().Customer! with { Locale = locale } })
                    .Should().ContainSingle(p => p.Field == "Customer.Locale", $"{locale} is not a culture (round {round})");
            }
        }
    }

    [Fact]
    public void A_broken_order_is_refused_with_every_problem_named()
    {
        var order = ValidOrder() with
        {
            EventId = "",
            Currency = "XYZ",
            Customer = new CustomerSnapshot { Email = "not-an-address", FirstName = "Mei\r\nBcc: x@evil.example", TimeZone = "Mars/Olympus_Mons" },
            Lines = [new OrderLine { Sku = "kit", ProductName = "Kit", Quantity = -2, UnitPrice = 10m }],
        };

        var act = () => _validator.ThrowIfInvalid(order);

        var problems = act.Should().Throw<EventValidationException>().Which.Problems.Select(p => p.Field);
        problems.Should().BeEquivalentTo(
            "EventId", "Currency", "Customer.Email", "Customer.FirstName", "Customer.TimeZone", "Lines[0].Quantity");
    }

    [Fact]
    public void The_message_names_each_problem()
    {
        var order = ValidOrder() with { Currency = "ABC", Lines = [] };
        var ex = Assert.Throws<EventValidationException>(() => _validator.ThrowIfInvalid(order));
        ex.Message.Should().Contain("Currency").And.Contain("ABC").And.Contain("Lines").And.Contain("2 problems");
    }

    [Fact]
    public void Too_many_order_lines_are_refused_by_count()
    {
        var line = new OrderLine { Sku = "s", ProductName = "P", Quantity = 1, UnitPrice = 1m };
        var order = ValidOrder() with { Lines = Enumerable.Repeat(line, 100_000).ToArray() };
        _validator.Validate(order).Should().ContainSingle(p => p.Field == "Lines");
    }

    [Fact]
    public void An_oversized_name_is_refused()
    {
        var order = ValidOrder() with { Customer = ValidOrder().Customer! with { FirstName = new string('a', 10_000_000) } };
        _validator.Validate(order).Should().ContainSingle(p => p.Field == "Customer.FirstName" && p.Message.Contains("at most 200"));
    }

    [Theory]
    [InlineData("a@example.com", true)]
    [InlineData("first.last+tag@sub.example.co", true)]
    [InlineData("用户@例子.广告", true)]
    [InlineData("\"a\r\nRCPT TO:<x>\"@d.example", false)]
    [InlineData("a@b", false)]
    [InlineData("a..b@example.com", false)]
    [InlineData("a@-example.com", false)]
    [InlineData("a b@example.com", false)]
    [InlineData("a@[127.0.0.1]", false)]
    public void Addresses_are_accepted_only_in_their_plain_form(string address, bool valid)
    {
        EmailAddressRules.IsValid(address).Should().Be(valid);
    }

    [Theory]
    [InlineData("TWD")]
    [InlineData("USD")]
    [InlineData("THB")]
    [InlineData("CNY")]
    [InlineData("JPY")]
    public void Currencies_of_our_markets_are_known(string code)
    {
        LoyaltyEventValidator.IsKnownCurrency(code).Should().BeTrue();
    }
}
