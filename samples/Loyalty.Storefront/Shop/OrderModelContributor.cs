using Loyalty.Email.Composition;
using Loyalty.Events;
using Loyalty.Storefront.Data;
using Loyalty.Stores;
using Microsoft.EntityFrameworkCore;

namespace Loyalty.Storefront.Shop;

/// <summary>
/// Gives templates the <c>order</c> of events that only carry an order id (delivered, refunded, a service issue, a
/// review), read from the shop's own table, so the review prompt can list the products with their star links.
/// </summary>
public sealed class OrderModelContributor(IServiceScopeFactory scopes) : ITemplateModelContributor
{
    public void Contribute(IDictionary<string, object?> root, LoyaltyEvent triggerEvent, LoyaltyCustomer? customer)
    {
        ArgumentNullException.ThrowIfNull(root);
        ArgumentNullException.ThrowIfNull(triggerEvent);
        if (root.ContainsKey("order"))
        {
            return;
        }

        var orderId = triggerEvent switch
        {
            OrderDelivered e => e.OrderId,
            OrderRefunded e => e.OrderId,
            ServiceIssueDetected e => e.OrderId,
            ReviewSubmitted e => e.OrderId,
            MilestoneReached e => e.OrderId,
            _ => null,
        };
        if (orderId is null)
        {
            return;
        }

        using var scope = scopes.CreateScope();
        var order = scope.ServiceProvider.GetRequiredService<StorefrontDbContext>().ShopOrders.AsNoTracking().FirstOrDefault(o => o.Id == orderId);
        if (order is null)
        {
            return;
        }

        var model = TemplateModelFactory.Order(new OrderPlaced
        {
            EventId = "model",
            OccurredAt = order.PlacedAt,
            CustomerId = order.CustomerId,
            OrderId = order.Id,
            Currency = order.Currency,
            Total = order.Total,
            Lines = ShopService.Lines(order).Select(l => new OrderLine
            {
                Sku = l.Sku,
                ProductName = l.Name,
                Quantity = l.Quantity,
                UnitPrice = l.UnitPrice,
                Tags = Catalogue.Find(l.Sku)?.Tags ?? [],
            }).ToList(),
        });
        root["order"] = model;
    }
}
