using System.Text.Json;
using Loyalty.DependencyInjection;
using Loyalty.Email.Templates;
using Loyalty.Events;
using Loyalty.Stores;

namespace Loyalty.Email.Composition;

/// <summary>
/// Turns what Loyalty knows (customer, trigger event, orders, shop, links) into the <see cref="TemplateModel"/>
/// templates and Liquid conditions see. This is the allow-list: only what is put here is reachable.
/// </summary>
public sealed class TemplateModelFactory
{
    private readonly LoyaltyShopOptions _shop;
    private readonly IEnumerable<ITemplateModelContributor> _contributors;

    /// <summary>Creates the factory.</summary>
    public TemplateModelFactory(Microsoft.Extensions.Options.IOptions<LoyaltyShopOptions> shop, IEnumerable<ITemplateModelContributor> contributors)
    {
        ArgumentNullException.ThrowIfNull(shop);
        _shop = shop.Value;
        _contributors = contributors;
    }

    /// <summary>Builds the model for <paramref name="customer"/> and <paramref name="triggerEvent"/>.</summary>
    /// <param name="triggerEvent">The event the model describes.</param>
    /// <param name="customer">The customer as stored, or null.</param>
    /// <param name="links">The <c>links</c> root (unsubscribe, preferences ...).</param>
    /// <param name="extra">More roots, set last.</param>
    /// <param name="purpose">
    /// <see cref="TemplateModelPurpose.Planning"/> when intake evaluates conditions and due times (possibly inside
    /// the shop's open transaction): contributors then only read.
    /// </param>
    public TemplateModel Create(LoyaltyEvent triggerEvent, LoyaltyCustomer? customer, IReadOnlyDictionary<string, object?>? links = null, IReadOnlyDictionary<string, object?>? extra = null, TemplateModelPurpose purpose = TemplateModelPurpose.Render)
    {
        ArgumentNullException.ThrowIfNull(triggerEvent);
        var locale = customer?.Locale ?? triggerEvent.Customer?.Locale ?? _shop.DefaultLocale;
        var zone = customer?.TimeZone ?? triggerEvent.Customer?.TimeZone ?? _shop.DefaultTimeZone;
        var root = new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            ["customer"] = Customer(triggerEvent, customer, locale, zone),
            ["shop"] = new Dictionary<string, object?>
            {
                ["name"] = _shop.Name,
                ["url"] = _shop.BaseUrl.ToString(),
                ["postal_address"] = _shop.PostalAddress,
            },
            ["event"] = Event(triggerEvent),
            ["links"] = links ?? new Dictionary<string, object?>(),
        };

        switch (triggerEvent)
        {
            case OrderPlaced order:
                root["order"] = Order(order);
                break;
            case ServiceIssueDetected issue:
                root["issue"] = new Dictionary<string, object?>
                {
                    ["id"] = issue.IssueId,
                    ["kind"] = issue.Kind,
                    ["severity"] = issue.Severity.ToString().ToLowerInvariant(),
                    ["order_id"] = issue.OrderId,
                    ["credit"] = issue.SuggestedCredit is { } credit && issue.Currency is { } currency ? new MoneyValue(credit, currency) : null,
                };
                if (issue.OrderId is { } issueOrderId)
                {
                    // The shipped apology says "your order {{ order.id }}": the order a service issue names is the order.
                    root["order"] = new Dictionary<string, object?> { ["id"] = issueOrderId };
                }

                break;
            case MilestoneReached milestone:
                root["milestone"] = new Dictionary<string, object?>
                {
                    ["key"] = milestone.Milestone,
                    ["name"] = milestone.Milestone,
                    ["order_id"] = milestone.OrderId,
                };
                break;
            case ReviewSubmitted review:
                root["review"] = new Dictionary<string, object?>
                {
                    ["sku"] = review.Sku,
                    ["rating"] = review.Rating,
                    ["text"] = review.Text,
                    ["url"] = review.ReviewUrl,
                    ["product_name"] = review.ProductName,
                    ["order_id"] = review.OrderId,
                };
                break;
        }

        if (extra is not null)
        {
            foreach (var (key, value) in extra)
            {
                root[key] = value;
            }
        }

        var model = new TemplateModel(root, zone, locale);
        foreach (var contributor in _contributors)
        {
            contributor.Contribute(root, triggerEvent, customer, purpose);
        }

        return model;
    }

    private static Dictionary<string, object?> Customer(LoyaltyEvent e, LoyaltyCustomer? customer, string locale, string zone)
    {
        var snapshot = e.Customer;
        var first = customer?.FirstName ?? snapshot?.FirstName;
        var last = customer?.LastName ?? snapshot?.LastName;
        return new Dictionary<string, object?>
        {
            ["id"] = e.CustomerId,
            ["email"] = customer?.Email ?? snapshot?.Email,
            ["first_name"] = first,
            ["last_name"] = last,
            ["name"] = string.Join(' ', new[] { first, last }.Where(x => !string.IsNullOrWhiteSpace(x))),
            ["locale"] = locale,
            ["time_zone"] = zone,
            ["order_count"] = customer?.OrderCount ?? 0,
        };
    }

    private static Dictionary<string, object?> Event(LoyaltyEvent e)
    {
        var result = new Dictionary<string, object?>
        {
            ["id"] = e.EventId,
            ["type"] = e.EventType,
            ["occurred_at"] = e.OccurredAt,
        };
        if (e is CustomEvent custom && custom.Properties.ValueKind == JsonValueKind.Object)
        {
            result["properties"] = FromJson(custom.Properties);
        }

        return result;
    }

    /// <summary>The <c>order</c> object of the model.</summary>
    public static Dictionary<string, object?> Order(OrderPlaced order)
    {
        ArgumentNullException.ThrowIfNull(order);
        return new Dictionary<string, object?>
        {
            ["id"] = order.OrderId,
            ["placed_at"] = order.OccurredAt,
            ["currency"] = order.Currency,
            ["total"] = new MoneyValue(order.Total, order.Currency),
            ["item_count"] = order.Lines.Sum(l => l.Quantity),
            ["lines"] = order.Lines.Select(l => (object?)new Dictionary<string, object?>
            {
                ["sku"] = l.Sku,
                ["product_name"] = l.ProductName,
                ["quantity"] = l.Quantity,
                ["unit_price"] = new MoneyValue(l.UnitPrice, order.Currency),
                ["line_total"] = new MoneyValue(l.UnitPrice * l.Quantity, order.Currency),
                ["tags"] = l.Tags.Select(t => (object?)t).ToList(),
                ["url"] = l.ProductUrl,
            }).ToList(),
        };
    }

    private static object? FromJson(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Object => element.EnumerateObject().ToDictionary(p => p.Name, p => FromJson(p.Value)),
        JsonValueKind.Array => element.EnumerateArray().Select(FromJson).ToList(),
        JsonValueKind.String => element.GetString(),
        JsonValueKind.Number => element.TryGetInt64(out var l) ? l : element.GetDecimal(),
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        _ => null,
    };
}

/// <summary>What a template model is built for.</summary>
public enum TemplateModelPurpose
{
    /// <summary>Rendering a message (the dispatcher, previews): a contributor may create what the message needs.</summary>
    Render,

    /// <summary>
    /// Intake's planning (entry conditions, due times) and dry runs: it may run inside the shop's open transaction,
    /// where a write through another connection waits for that transaction (on SQLite, until it times out). A
    /// contributor only reads and leaves out what does not exist yet.
    /// </summary>
    Planning,
}

/// <summary>Adds variables to the template model (Referrals adds <c>referral</c>, for example).</summary>
public interface ITemplateModelContributor
{
    /// <summary>Adds to <paramref name="root"/>; must add only dictionaries, lists and plain values.</summary>
    void Contribute(IDictionary<string, object?> root, LoyaltyEvent triggerEvent, LoyaltyCustomer? customer);

    /// <summary>
    /// Adds to <paramref name="root"/> for <paramref name="purpose"/>; for <see cref="TemplateModelPurpose.Planning"/>
    /// it must not write. By default the same as <see cref="Contribute(IDictionary{string, object?}, LoyaltyEvent, LoyaltyCustomer?)"/>.
    /// </summary>
    void Contribute(IDictionary<string, object?> root, LoyaltyEvent triggerEvent, LoyaltyCustomer? customer, TemplateModelPurpose purpose)
        => Contribute(root, triggerEvent, customer);
}
