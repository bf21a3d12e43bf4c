using System.Globalization;
using Loyalty.Email.Flows;
using Loyalty.Events;
using Loyalty.Storefront.Data;
using Microsoft.EntityFrameworkCore;

namespace Loyalty.Storefront.Shop;

/// <summary>
/// Issues the credits Loyalty asks for (the service-recovery apology, referral rewards for friend and advocate) by writing them to the shop's ledger,
/// once per idempotency key; the account page shows them.
/// </summary>
public sealed class StorefrontCreditIssuer(StorefrontDbContext db, TimeProvider time) : ICreditIssuer
{
    /// <summary>What the shop gives for a problem of this severity, in TWD.</summary>
    public static decimal CreditFor(ServiceIssueSeverity severity) => severity switch
    {
        ServiceIssueSeverity.High => 200m,
        ServiceIssueSeverity.Medium => 100m,
        _ => 50m,
    };

    public async Task<string?> IssueAsync(CreditRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var existing = await db.ShopCredits.AsNoTracking().FirstOrDefaultAsync(c => c.IdempotencyKey == request.IdempotencyKey, cancellationToken);
        if (existing is null)
        {
            existing = new ShopCredit
            {
                IdempotencyKey = request.IdempotencyKey,
                CustomerId = request.CustomerId,
                Kind = request.Kind,
                Amount = request.SuggestedAmount ?? 100m,
                Currency = request.Currency ?? Catalogue.Currency,
                Code = "TK-" + Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(request.IdempotencyKey)))[..8],
                Reason = request.Reason,
                IssuedAt = time.GetUtcNow(),
            };
            db.ShopCredits.Add(existing);
            try
            {
                await db.SaveChangesAsync(cancellationToken);
            }
            catch (DbUpdateException)
            {
                // Another attempt of the same step won the race: it is issued once.
                db.ChangeTracker.Clear();
                existing = await db.ShopCredits.AsNoTracking().FirstAsync(c => c.IdempotencyKey == request.IdempotencyKey, cancellationToken);
            }
        }

        return string.Create(CultureInfo.InvariantCulture, $"{existing.Currency} {existing.Amount:0} credit, code {existing.Code}");
    }
}
