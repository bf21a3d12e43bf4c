using System.Text.Json;
using Loyalty.Events;
using Loyalty.Validation;

namespace Loyalty.Abstractions.Tests.BadInput;

/// <summary>
/// Every naughty string in every text field, at the validator: it returns problems or none, it never throws, and a
/// field that keeps a string keeps it with no character that could break a header line.
/// (The full path, intake + store + render + SMTP, is tests/Loyalty.IntegrationTests/BadInput.)
/// </summary>
public sealed class NaughtyStringValidationTests
{
    private static readonly DateTimeOffset At = new(2026, 11, 1, 9, 0, 0, TimeSpan.FromHours(8));
    private readonly LoyaltyEventValidator _validator = new(new LoyaltyInputLimits());

    private static bool BreaksALine(string s) => s.Any(c => char.IsControl(c) || c is '\u2028' or '\u2029');

    [Fact]
    public void Every_naughty_string_in_every_field_is_either_refused_naming_that_field_or_accepted_without_control_characters()
    {
        var strings = Corpus.NaughtyStrings();
        strings.Should().HaveCountGreaterThan(500);
        var refusedNames = 0;
        foreach (var s in strings)
        {
            var names = _validator.Validate(new OrderPlaced
            {
                EventId = "evt-1",
                OccurredAt = At,
                CustomerId = "cust-1",
                Customer = new CustomerSnapshot { Email = "mei@shop.example", FirstName = s, LastName = s },
                OrderId = "order-1",
                Currency = "TWD",
                Total = 10m,
                Lines = [new OrderLine { Sku = "kit", ProductName = s, Quantity = 1, UnitPrice = 10m }],
            });
            names.Select(p => p.Field).Should().BeSubsetOf(["Customer.FirstName", "Customer.LastName", "Lines[0].ProductName"], s);
            if (!names.Any(p => p.Field == "Customer.FirstName"))
            {
                BreaksALine(s).Should().BeFalse("an accepted name must not break a header line: {0}", s);
            }
            else
            {
                refusedNames++;
            }

            var ids = _validator.Validate(new OrderPlaced
            {
                EventId = "evt-1",
                OccurredAt = At,
                CustomerId = "cust-1",
                OrderId = s,
                Currency = "TWD",
                Total = 10m,
                Lines = [new OrderLine { Sku = s, ProductName = "Kit", Quantity = 1, UnitPrice = 10m }],
            });
            ids.Select(p => p.Field).Should().BeSubsetOf(["OrderId", "Lines[0].Sku"], s);
            if (ids.Count == 0)
            {
                s.Should().NotContainAny([" ", "\t", "\r", "\n"]);
            }

            var review = _validator.Validate(new ReviewSubmitted
            {
                EventId = "evt-1",
                OccurredAt = At,
                CustomerId = "cust-1",
                Sku = "kit",
                Rating = 5,
                Text = s,
                ProductName = s,
            });
            review.Select(p => p.Field).Should().BeSubsetOf(["Text", "ProductName"], s);

            using var document = JsonDocument.Parse(JsonSerializer.Serialize(new Dictionary<string, string> { ["note"] = s, [s.Length == 0 ? "empty" : s] = "v" }));
            var custom = _validator.Validate(new CustomEvent
            {
                EventId = "evt-1",
                OccurredAt = At,
                CustomerId = "cust-1",
                Name = "quiz-finished",
                Properties = document.RootElement,
            });
            custom.Where(p => !p.Field.StartsWith("Properties.", StringComparison.Ordinal)).Should().BeEmpty(s);
        }

        refusedNames.Should().BeGreaterThan(0).And.BeLessThan(strings.Count / 2);
    }
}
