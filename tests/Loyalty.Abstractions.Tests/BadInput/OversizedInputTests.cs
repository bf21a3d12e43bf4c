using System.Text;
using System.Text.Json;
using Loyalty.Events;
using Loyalty.Validation;

namespace Loyalty.Abstractions.Tests.BadInput;

/// <summary>
/// Oversized inputs are refused by <see cref="LoyaltyInputLimits"/> on their size alone: validating them allocates
/// (almost) nothing, so a hostile or buggy publisher cannot exhaust memory at the door.
/// </summary>
public sealed class OversizedInputTests(Xunit.Abstractions.ITestOutputHelper output)
{
    // What refusing may allocate: the problem list, its messages and the exception; never a copy of the input.
    private const long AllocationBound = 256 * 1024;
    private const int TenMegabytes = 10 * 1024 * 1024;

    private static readonly DateTimeOffset At = new(2026, 11, 1, 9, 0, 0, TimeSpan.FromHours(8));

    private static OrderPlaced Order(string firstName = "Mei", IReadOnlyList<OrderLine>? lines = null) => new()
    {
        EventId = "evt-1",
        OccurredAt = At,
        CustomerId = "cust-1",
        Customer = new CustomerSnapshot { Email = "mei@example.com", FirstName = firstName },
        OrderId = "order-1",
        Currency = "TWD",
        Total = 1200m,
        Lines = lines ?? [new OrderLine { Sku = "kit", ProductName = "Kit", Quantity = 1, UnitPrice = 1200m }],
    };

    private (EventValidationException Error, long Allocated) Refuse(LoyaltyEventValidator validator, LoyaltyEvent e)
    {
        // Warm up the validator's lazy state (currency table) so that only the refusal itself is measured.
        _ = LoyaltyEventValidator.IsKnownCurrency("TWD");
        var before = GC.GetAllocatedBytesForCurrentThread();
        EventValidationException? error = null;
        try
        {
            validator.ThrowIfInvalid(e);
        }
        catch (EventValidationException ex)
        {
            error = ex;
        }

        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        error.Should().NotBeNull("the oversized event must be refused");
        output.WriteLine($"refused with {error!.Problems.Count} problem(s), {allocated} bytes allocated: {error.Message[..Math.Min(error.Message.Length, 300)]}");
        return (error!, allocated);
    }

    [Fact]
    public void A_ten_megabyte_first_name_is_refused_by_its_length_without_copying_it()
    {
        var (error, allocated) = Refuse(new LoyaltyEventValidator(new LoyaltyInputLimits()), Order(firstName: new string('a', TenMegabytes)));

        error.Problems.Should().ContainSingle().Which.Should().Be(new ValidationProblem("Customer.FirstName", $"is {TenMegabytes} characters long; at most 200 are accepted."));
        allocated.Should().BeLessThan(AllocationBound);
        error.Message.Length.Should().BeLessThan(1_000);
    }

    [Fact]
    public void Ten_megabytes_in_every_text_field_of_a_review_are_refused_with_one_problem_each()
    {
        var huge = new string('x', TenMegabytes);
        var review = new ReviewSubmitted
        {
            EventId = huge,
            OccurredAt = At,
            CustomerId = huge,
            Customer = new CustomerSnapshot { Email = huge, FirstName = huge, LastName = huge, Locale = huge, TimeZone = huge },
            Sku = huge,
            OrderId = huge,
            Rating = 5,
            Text = huge,
            ReviewUrl = huge,
            ProductName = huge,
        };

        var (error, allocated) = Refuse(new LoyaltyEventValidator(new LoyaltyInputLimits()), review);

        error.Problems.Select(p => p.Field).Should().BeEquivalentTo(
            "EventId", "CustomerId", "Customer.Email", "Customer.FirstName", "Customer.LastName", "Customer.Locale", "Customer.TimeZone",
            "Sku", "OrderId", "Text", "ReviewUrl", "ProductName");
        allocated.Should().BeLessThan(AllocationBound);
        error.Message.Length.Should().BeLessThan(4_000);
    }

    [Fact]
    public void One_hundred_thousand_order_lines_are_refused_by_their_count()
    {
        var line = new OrderLine { Sku = "kit", ProductName = "Kit", Quantity = 1, UnitPrice = 1m };
        var lines = Enumerable.Range(0, 100_000).Select(i => line with { Sku = "kit-" + i }).ToArray();

        var (error, allocated) = Refuse(new LoyaltyEventValidator(new LoyaltyInputLimits()), Order(lines: lines));

        error.Problems.Should().ContainSingle().Which.Should().Be(new ValidationProblem("Lines", "has 100000 lines; at most 500 are accepted."));
        allocated.Should().BeLessThan(AllocationBound);
    }

    [Fact]
    public void The_order_line_limit_is_configurable()
    {
        var line = new OrderLine { Sku = "kit", ProductName = "Kit", Quantity = 1, UnitPrice = 1m };
        var validator = new LoyaltyEventValidator(new LoyaltyInputLimits { MaxOrderLines = 2_000 });

        validator.Validate(Order(lines: Enumerable.Repeat(line, 2_000).ToArray())).Should().BeEmpty();
        validator.Validate(Order(lines: Enumerable.Repeat(line, 2_001).ToArray())).Should().ContainSingle(p => p.Field == "Lines");
    }

    [Fact]
    public void A_huge_custom_properties_object_is_refused_by_its_size_without_copying_it()
    {
        var json = new StringBuilder("{");
        for (var i = 0; i < 200_000; i++)
        {
            json.Append(i == 0 ? "" : ",").Append("\"p").Append(i).Append("\":\"").Append('v', 80).Append('"');
        }

        using var document = JsonDocument.Parse(json.Append('}').ToString());
        var custom = new CustomEvent { EventId = "evt-1", OccurredAt = At, CustomerId = "cust-1", Name = "quiz-finished", Properties = document.RootElement };

        var (error, allocated) = Refuse(new LoyaltyEventValidator(new LoyaltyInputLimits()), custom);

        error.Problems.Should().ContainSingle().Which.Field.Should().Be("Properties");
        error.Problems[0].Message.Should().Contain("at most 65536");
        allocated.Should().BeLessThan(AllocationBound);
    }

    [Fact]
    public void A_custom_properties_object_within_the_limit_is_accepted_and_the_limit_counts_utf8_bytes()
    {
        var limits = new LoyaltyInputLimits { MaxCustomPropertiesBytes = 100 };
        var validator = new LoyaltyEventValidator(limits);
        CustomEvent Custom(string value)
        {
            using var document = JsonDocument.Parse("{\"v\":\"" + value + "\"}");
            return new CustomEvent { EventId = "evt-1", OccurredAt = At, CustomerId = "cust-1", Name = "quiz-finished", Properties = document.RootElement.Clone() };
        }

        // {"v":"…"} is 8 bytes around the value: 92 ASCII characters fit exactly, 46 two-byte characters too.
        validator.Validate(Custom(new string('a', 92))).Should().BeEmpty();
        validator.Validate(Custom(new string('a', 93))).Should().ContainSingle(p => p.Field == "Properties");
        validator.Validate(Custom(new string('é', 46))).Should().BeEmpty();
        validator.Validate(Custom(new string('é', 47))).Should().ContainSingle(p => p.Field == "Properties");
    }

    [Fact]
    public void Ten_thousand_tags_on_a_line_are_refused_by_their_count()
    {
        var line = new OrderLine { Sku = "kit", ProductName = "Kit", Quantity = 1, UnitPrice = 1m, Tags = Enumerable.Repeat("t", 10_000).ToArray() };

        var (error, allocated) = Refuse(new LoyaltyEventValidator(new LoyaltyInputLimits()), Order(lines: [line]));

        error.Problems.Should().ContainSingle().Which.Field.Should().Be("Lines[0].Tags");
        allocated.Should().BeLessThan(AllocationBound);
    }
}
