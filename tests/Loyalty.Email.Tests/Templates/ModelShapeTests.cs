using System.Collections;
using Loyalty.DependencyInjection;
using Loyalty.Email.Composition;
using Loyalty.Email.Templates;
using Loyalty.Events;
using Microsoft.Extensions.Options;

namespace Loyalty.Email.Tests.Templates;

/// <summary>
/// Start-up validation checks members against <see cref="TemplateModelShape"/>; the model itself is built by
/// <see cref="TemplateModelFactory"/>. These keep the two the same.
/// </summary>
public sealed class ModelShapeTests
{
    private static readonly CustomerSnapshot Customer = new() { Email = "mei@example.com", FirstName = "Mei", LastName = "Lin", Locale = "zh-TW", TimeZone = "Asia/Taipei" };

    public static TheoryData<string> EventsOfEveryKind() => new() { "order", "issue", "milestone", "review", "custom" };

    [Theory]
    [MemberData(nameof(EventsOfEveryKind))]
    public void Every_value_the_model_factory_builds_is_declared_in_the_default_shape(string kind)
    {
        var now = new DateTimeOffset(2026, 5, 1, 2, 0, 0, TimeSpan.Zero);
        LoyaltyEvent e = kind switch
        {
            "order" => new OrderPlaced
            {
                EventId = "o", OccurredAt = now, CustomerId = "c", Customer = Customer, OrderId = "1", Currency = "TWD", Total = 10m,
                Lines = [new OrderLine { Sku = "kit", ProductName = "Kit", Quantity = 1, UnitPrice = 10m, Tags = ["kit"], ProductUrl = "https://shop.example/kit" }],
            },
            "issue" => new ServiceIssueDetected { EventId = "i", OccurredAt = now, CustomerId = "c", Customer = Customer, IssueId = "x", Kind = "late_delivery", Severity = ServiceIssueSeverity.Medium, OrderId = "1", SuggestedCredit = 5m, Currency = "TWD" },
            "milestone" => new MilestoneReached { EventId = "m", OccurredAt = now, CustomerId = "c", Customer = Customer, Milestone = "first-order", OrderId = "1" },
            "review" => new ReviewSubmitted { EventId = "r", OccurredAt = now, CustomerId = "c", Customer = Customer, OrderId = "1", Sku = "kit", Rating = 5, Text = "Good", ProductName = "Kit", ReviewUrl = "https://shop.example/r/1" },
            _ => new CustomEvent { EventId = "x", OccurredAt = now, CustomerId = "c", Customer = Customer, Name = "x", Properties = System.Text.Json.JsonDocument.Parse("""{"a":{"b":1}}""").RootElement },
        };
        var factory = new TemplateModelFactory(Options.Create(new LoyaltyShopOptions { Name = "Tea", BaseUrl = new Uri("https://shop.example/"), PostalAddress = "1 Tea St" }), []);
        var links = new Dictionary<string, object?> { ["shop"] = "https://shop.example/", ["unsubscribe"] = "https://shop.example/u/t", ["preferences"] = "https://shop.example/p/t" };

        var model = factory.Create(e, customer: null, links);

        var shape = TemplateModelShape.CreateDefault();
        Undeclared(model.Root, shape).Should().BeEmpty("every value TemplateModelFactory puts into the model is declared in TemplateModelShape.CreateDefault()");
    }

    [Fact]
    public void A_declared_open_member_accepts_any_member_and_lists_declare_their_items()
    {
        var shape = new TemplateModelShape().Declare("event.properties.*", "order.lines[].sku");
        var lines = shape.Root("order")!.Members!["lines"];
        lines.Items!.Members!.Keys.Should().Equal("sku");
        shape.Root("event")!.Members!["properties"].IsOpen.Should().BeTrue();
        shape.HasRoot("customer").Should().BeFalse();
    }

    private static List<string> Undeclared(IReadOnlyDictionary<string, object?> root, TemplateModelShape shape)
    {
        var missing = new List<string>();
        void Walk(object? value, TemplateModelShape.Node? node, string path)
        {
            if (node is null)
            {
                missing.Add(path);
                return;
            }

            if (node.IsOpen)
            {
                return;
            }

            switch (value)
            {
                case MoneyValue:
                    Walk(null, node.Members?.GetValueOrDefault("amount"), path + ".amount");
                    Walk(null, node.Members?.GetValueOrDefault("currency"), path + ".currency");
                    break;
                case IReadOnlyDictionary<string, object?> members:
                    foreach (var (key, item) in members)
                    {
                        Walk(item, node.Members?.GetValueOrDefault(key), path + "." + key);
                    }

                    break;
                case IEnumerable items and not string:
                    foreach (var item in items)
                    {
                        Walk(item, node.Items, path + "[]");
                    }

                    break;
            }
        }

        foreach (var (key, value) in root)
        {
            Walk(value, shape.Root(key), key);
        }

        return missing.Distinct().ToList();
    }
}
