using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Loyalty.DependencyInjection;
using Loyalty.Email.Scheduling;
using Loyalty.Events;
using Loyalty.Publishing;
using Loyalty.Referrals.Codes;
using Loyalty.Storefront.Data;
using Loyalty.Stores;
using Loyalty.Validation;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Loyalty.Storefront.Shop;

public sealed record CustomerInput(string? Id, string? Email, string? Name, string? Locale, string? TimeZone, bool? MarketingConsent);

public sealed record OrderLineInput(string? Sku, int? Quantity);

public sealed record OrderInput(string? Id, string? CustomerId, IReadOnlyList<OrderLineInput>? Lines, string? ReferralCode, string? VisitorId = null);

public sealed record ServiceIssueInput(string? Id, string? CustomerId, string? OrderId, string? Kind, string? Severity);

public sealed record ReviewInput(string? CustomerId, string? OrderId, string? Sku, int? Rating, string? Text);

public sealed record StoredLine(string Sku, string Name, int Quantity, decimal UnitPrice);

/// <summary>Input the shop refuses, with every bad field named (becomes an RFC 7807 validation problem).</summary>
public sealed class ShopValidationException(IDictionary<string, string[]> errors)
    : Exception("The request is not valid: " + string.Join("; ", errors.Select(e => $"{e.Key}: {string.Join(" ", e.Value)}")))
{
    public IDictionary<string, string[]> Errors { get; } = errors;
}

/// <summary>Something the request names does not exist.</summary>
public sealed class ShopNotFoundException(string what) : Exception($"{what} was not found.");

/// <summary>
/// What the shop does when a customer signs up, orders, receives, gets a refund, reviews, or the shop notices a
/// problem: it changes its own tables and publishes the loyalty event in the same transaction (the outbox).
/// </summary>
public sealed class ShopService(
    StorefrontDbContext db,
    ILoyaltyPublisher publisher,
    IScheduledStepStore steps,
    IImmediateStepQueue immediate,
    TimeProvider time,
    IOptions<LoyaltyShopOptions> shop,
    ReferralCodes referralCodes)
{
    private static readonly Dictionary<string, string> CustomerFields = new(StringComparer.Ordinal)
    {
        ["CustomerId"] = "id",
        ["Customer.Email"] = "email",
        ["Customer.FirstName"] = "name",
        ["Customer.LastName"] = "name",
        ["Customer.Locale"] = "locale",
        ["Customer.TimeZone"] = "timeZone",
    };

    public static IReadOnlyList<StoredLine> Lines(ShopOrder order) => JsonSerializer.Deserialize<List<StoredLine>>(order.LinesJson) ?? [];

    public async Task<ShopCustomer> UpsertCustomerAsync(CustomerInput input, string consentSource, CancellationToken ct)
    {
        var errors = new Errors();
        errors.Require("id", input.Id);
        errors.Require("email", input.Email);
        errors.Require("name", input.Name);
        errors.ThrowIfAny();

        var now = time.GetUtcNow();
        var existing = await db.ShopCustomers.FindAsync([input.Id!], ct);
        var consent = input.MarketingConsent ?? existing?.MarketingConsent ?? false;
        var consentChanged = existing is null || existing.MarketingConsent != consent;
        var customer = existing ?? new ShopCustomer { Id = input.Id!, Email = input.Email!, Name = input.Name!, CreatedAt = now };
        customer.Email = input.Email!.Trim();
        customer.Name = input.Name!.Trim();
        customer.Locale = string.IsNullOrWhiteSpace(input.Locale) ? existing?.Locale ?? shop.Value.DefaultLocale : input.Locale.Trim();
        customer.TimeZone = string.IsNullOrWhiteSpace(input.TimeZone) ? existing?.TimeZone ?? shop.Value.DefaultTimeZone : input.TimeZone.Trim();
        customer.MarketingConsent = consent;
        if (existing is null)
        {
            db.ShopCustomers.Add(customer);
        }

        var snapshot = Snapshot(customer) with { MarketingConsent = consentChanged ? new ConsentChange(consent, consentSource, now) : null };
        var fingerprint = Hash($"{customer.Email}|{customer.Name}|{customer.Locale}|{customer.TimeZone}|{consent}");
        await PublishInTransactionAsync(new CustomerUpserted
        {
            EventId = $"customer:{customer.Id}:{fingerprint}",
            OccurredAt = now,
            CustomerId = customer.Id,
            Customer = snapshot,
        }, field => CustomerFields.GetValueOrDefault(field) ?? Camel(field), ct);
        return customer;
    }

    public async Task<ShopOrder> PlaceOrderAsync(OrderInput input, CancellationToken ct)
    {
        var errors = new Errors();
        errors.Require("id", input.Id);
        errors.Require("customerId", input.CustomerId);
        if (input.VisitorId is { Length: > 200 })
        {
            errors.Add("visitorId", "A visitor id is at most 200 characters.");
        }

        if (input.Lines is null || input.Lines.Count == 0)
        {
            errors.Add("lines", "An order needs at least one line.");
        }
        else
        {
            for (var i = 0; i < input.Lines.Count; i++)
            {
                var line = input.Lines[i];
                if (Catalogue.Find(line.Sku) is null)
                {
                    errors.Add($"lines[{i}].sku", $"'{line.Sku}' is not in the catalogue ({string.Join(", ", Catalogue.Products.Select(p => p.Sku))}).");
                }

                if (line.Quantity is not (>= 1 and <= 99))
                {
                    errors.Add($"lines[{i}].quantity", "The quantity must be between 1 and 99.");
                }
            }
        }

        errors.ThrowIfAny();
        if (await db.ShopOrders.FindAsync([input.Id!], ct) is { } placed)
        {
            return placed; // the same order posted again: once
        }

        var customer = await db.ShopCustomers.FindAsync([input.CustomerId!], ct);
        if (customer is null)
        {
            errors.Add("customerId", $"No customer '{input.CustomerId}'. Create it with POST /api/customers first.");
            errors.ThrowIfAny();
        }

        var lines = input.Lines!.GroupBy(l => l.Sku!, StringComparer.Ordinal)
            .Select(g => (Product: Catalogue.Find(g.Key)!, Quantity: g.Sum(l => l.Quantity!.Value)))
            .ToList();
        var now = time.GetUtcNow();
        var order = new ShopOrder
        {
            Id = input.Id!,
            CustomerId = customer!.Id,
            PlacedAt = now,
            Currency = Catalogue.Currency,
            Total = lines.Sum(l => l.Product.Price * l.Quantity),
            ReferralCode = string.IsNullOrWhiteSpace(input.ReferralCode) ? null : input.ReferralCode.Trim(),
            LinesJson = JsonSerializer.Serialize(lines.Select(l => new StoredLine(l.Product.Sku, l.Product.Name, l.Quantity, l.Product.Price)).ToList()),
        };
        db.ShopOrders.Add(order);
        await PublishInTransactionAsync(OrderPlacedEvent(order, customer, input.VisitorId), Camel, ct);
        return order;
    }

    /// <summary>The event the shop publishes for <paramref name="order"/> (also what the admin dry-run checks).</summary>
    public OrderPlaced OrderPlacedEvent(ShopOrder order, ShopCustomer customer, string? visitorId)
    {
        ArgumentNullException.ThrowIfNull(order);
        ArgumentNullException.ThrowIfNull(customer);
        return new OrderPlaced
        {
            EventId = $"order-placed:{order.Id}",
            OccurredAt = order.PlacedAt,
            CustomerId = customer.Id,
            Customer = Snapshot(customer),
            OrderId = order.Id,
            Currency = order.Currency,
            Total = order.Total,
            ReferralCode = order.ReferralCode,
            VisitorId = string.IsNullOrWhiteSpace(visitorId) ? null : visitorId.Trim(),
            Lines = Lines(order).Select(l => new OrderLine
            {
                Sku = l.Sku,
                ProductName = l.Name,
                Quantity = l.Quantity,
                UnitPrice = l.UnitPrice,
                Tags = Catalogue.Find(l.Sku)?.Tags ?? [],
                ProductUrl = ProductUrl(l.Sku),
            }).ToList(),
        };
    }

    public async Task<ShopOrder> DeliverAsync(string orderId, CancellationToken ct)
    {
        var order = await db.ShopOrders.FindAsync([orderId], ct) ?? throw new ShopNotFoundException($"Order '{orderId}'");
        var now = time.GetUtcNow();
        if (order.DeliveredAt is null)
        {
            order.DeliveredAt = now;
            order.Status = order.RefundedAt is null ? "delivered" : order.Status;
        }

        await PublishInTransactionAsync(new OrderDelivered { EventId = $"order-delivered:{order.Id}", OccurredAt = order.DeliveredAt.Value, CustomerId = order.CustomerId, OrderId = order.Id }, Camel, ct);
        return order;
    }

    public async Task<ShopOrder> RefundAsync(string orderId, CancellationToken ct)
    {
        var order = await db.ShopOrders.FindAsync([orderId], ct) ?? throw new ShopNotFoundException($"Order '{orderId}'");
        var now = time.GetUtcNow();
        if (order.RefundedAt is null)
        {
            order.RefundedAt = now;
            order.Status = "refunded";
        }

        await PublishInTransactionAsync(new OrderRefunded { EventId = $"order-refunded:{order.Id}", OccurredAt = order.RefundedAt.Value, CustomerId = order.CustomerId, OrderId = order.Id }, Camel, ct);
        return order;
    }

    public async Task<ServiceIssueDetected> ReportServiceIssueAsync(ServiceIssueInput input, CancellationToken ct)
    {
        var errors = new Errors();
        errors.Require("id", input.Id);
        errors.Require("customerId", input.CustomerId);
        errors.Require("kind", input.Kind);
        ServiceIssueSeverity severity = default;
        if (!Enum.TryParse(input.Severity, ignoreCase: true, out severity) || !Enum.IsDefined(severity))
        {
            errors.Add("severity", "The severity must be low, medium or high.");
        }

        errors.ThrowIfAny();
        if (await db.ShopCustomers.FindAsync([input.CustomerId!], ct) is null)
        {
            errors.Add("customerId", $"No customer '{input.CustomerId}'.");
        }

        if (!string.IsNullOrWhiteSpace(input.OrderId) && await db.ShopOrders.FindAsync([input.OrderId], ct) is not { } order)
        {
            errors.Add("orderId", $"No order '{input.OrderId}'.");
        }

        errors.ThrowIfAny();
        var issue = new ServiceIssueDetected
        {
            EventId = $"service-issue:{input.Id}",
            OccurredAt = time.GetUtcNow(),
            CustomerId = input.CustomerId!,
            IssueId = input.Id!,
            Kind = input.Kind!,
            Severity = severity,
            OrderId = string.IsNullOrWhiteSpace(input.OrderId) ? null : input.OrderId,
            SuggestedCredit = StorefrontCreditIssuer.CreditFor(severity),
            Currency = Catalogue.Currency,
        };
        await PublishInTransactionAsync(issue, Camel, ct);
        return issue;
    }

    public async Task<ShopReview> SubmitReviewAsync(ReviewInput input, CancellationToken ct)
    {
        var errors = new Errors();
        errors.Require("customerId", input.CustomerId);
        errors.Require("sku", input.Sku);
        var product = Catalogue.Find(input.Sku);
        if (input.Sku is not null && product is null)
        {
            errors.Add("sku", $"'{input.Sku}' is not in the catalogue.");
        }

        if (input.Rating is not (>= 1 and <= 5))
        {
            errors.Add("rating", "The rating must be 1 to 5 stars.");
        }

        if (input.Text is { Length: > 4000 })
        {
            errors.Add("text", "A review is at most 4000 characters.");
        }

        errors.ThrowIfAny();
        if (await db.ShopCustomers.FindAsync([input.CustomerId!], ct) is null)
        {
            errors.Add("customerId", $"No customer '{input.CustomerId}'.");
        }

        if (!string.IsNullOrWhiteSpace(input.OrderId))
        {
            var order = await db.ShopOrders.FindAsync([input.OrderId], ct);
            if (order is null || order.CustomerId != input.CustomerId)
            {
                errors.Add("orderId", $"No order '{input.OrderId}' of this customer.");
            }
            else if (!Lines(order).Any(l => l.Sku == input.Sku))
            {
                errors.Add("sku", $"Order '{input.OrderId}' has no '{input.Sku}'.");
            }
        }

        errors.ThrowIfAny();
        var id = $"{input.CustomerId}:{input.OrderId}:{input.Sku}";
        var review = await db.ShopReviews.FindAsync([id], ct);
        var now = time.GetUtcNow();
        if (review is null)
        {
            review = new ShopReview { Id = id, CustomerId = input.CustomerId!, OrderId = input.OrderId, Sku = input.Sku!, CreatedAt = now };
            db.ShopReviews.Add(review);
        }

        review.Rating = input.Rating!.Value;
        review.Text = input.Text;
        await PublishInTransactionAsync(new ReviewSubmitted
        {
            EventId = $"review:{id}",
            OccurredAt = review.CreatedAt,
            CustomerId = review.CustomerId,
            OrderId = review.OrderId,
            Sku = review.Sku,
            Rating = review.Rating,
            Text = review.Text,
            ProductName = product!.Name,
            // The page friends see when the review is shared; it carries the reviewer's referral code (?ref=), so a
            // friend who comes through a shared review is attributed like one who used the referral link.
            ReviewUrl = await ReviewPageUrlAsync(review.CustomerId, review.Sku, ct),
        }, Camel, ct);
        return review;
    }

    public async Task<string> ReviewPageUrlAsync(string customerId, string sku, CancellationToken ct)
    {
        var code = await referralCodes.GetOrCreateAsync(customerId, ct);
        return $"{ProductUrl(sku)}?ref={Uri.EscapeDataString(code.Code)}#reviews";
    }

    public string ProductUrl(string sku) => new Uri(shop.Value.BaseUrl, $"products/{Uri.EscapeDataString(sku)}").AbsoluteUri;

    /// <summary>The customer as the shop's events carry them.</summary>
    public static CustomerSnapshot Snapshot(ShopCustomer customer)
    {
        ArgumentNullException.ThrowIfNull(customer);
        var space = customer.Name.IndexOf(' ', StringComparison.Ordinal);
        return new CustomerSnapshot
        {
            Email = customer.Email,
            FirstName = space > 0 ? customer.Name[..space] : customer.Name,
            LastName = space > 0 ? customer.Name[(space + 1)..].Trim() : null,
            Locale = customer.Locale,
            TimeZone = customer.TimeZone,
        };
    }

    /// <summary>Saves the shop's changes and publishes the event in one transaction; hands due steps to Hangfire after the commit.</summary>
    private async Task PublishInTransactionAsync(LoyaltyEvent loyaltyEvent, Func<string, string> fieldName, CancellationToken ct)
    {
        PublishResult result;
        await using (var transaction = await db.Database.BeginTransactionAsync(ct))
        {
            try
            {
                await db.SaveChangesAsync(ct);
                result = await publisher.PublishAsync(loyaltyEvent, ct);
                await transaction.CommitAsync(ct);
            }
            catch (EventValidationException ex)
            {
                await transaction.RollbackAsync(CancellationToken.None);
                throw Refused(ex.Problems, fieldName);
            }
        }

        // Immediate steps were handed to Hangfire inside the transaction, where a worker may not see them yet:
        // hand them over again now that they are committed (a second hand-off of a done step is a no-op).
        var now = time.GetUtcNow();
        foreach (var id in result.ScheduledStepIds)
        {
            if (await steps.FindAsync(id, ct) is { State: StepState.Scheduled } step && step.DueAt <= now)
            {
                immediate.Enqueue(id);
            }
        }
    }

    private ShopValidationException Refused(IReadOnlyList<ValidationProblem> problems, Func<string, string> fieldName)
    {
        db.ChangeTracker.Clear();
        return new ShopValidationException(problems
            .GroupBy(p => fieldName(p.Field), StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Select(p => p.Message).ToArray(), StringComparer.Ordinal));
    }

    /// <summary><c>Lines[0].Quantity</c> → <c>lines[0].quantity</c>: the event's field path in the API's JSON casing.</summary>
    public static string Camel(string path) => string.Join('.', path.Split('.').Select(s => s.Length == 0 ? s : char.ToLowerInvariant(s[0]) + s[1..]));

    private static string Hash(string value) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(value)))[..12];

    private sealed class Errors
    {
        private readonly Dictionary<string, List<string>> _errors = new(StringComparer.Ordinal);

        public void Add(string field, string message)
        {
            if (!_errors.TryGetValue(field, out var list))
            {
                _errors[field] = list = [];
            }

            list.Add(message);
        }

        public void Require(string field, string? value)
        {
            if (string.IsNullOrWhiteSpace(value))
            {
                Add(field, $"'{field}' is required.");
            }
        }

        public void ThrowIfAny()
        {
            if (_errors.Count > 0)
            {
                throw new ShopValidationException(_errors.ToDictionary(e => e.Key, e => e.Value.ToArray(), StringComparer.Ordinal));
            }
        }
    }
}
