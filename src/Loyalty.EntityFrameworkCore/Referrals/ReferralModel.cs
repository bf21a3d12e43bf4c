using Loyalty.Stores;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace Loyalty.EntityFrameworkCore.Referrals;

/// <summary>
/// The referral and review programme's part of <c>modelBuilder.AddLoyalty()</c>: the tables of the referral
/// stores in Loyalty.Abstractions, with the keys and indexes their hot queries use.
/// </summary>
internal static class ReferralModel
{
    /// <summary>
    /// Shadow property of <see cref="ReferralCode"/>: the owner of a generated code, null for a vanity code. Its
    /// unique index is "at most one generated code per customer" on every provider (NULLs never collide), without a
    /// provider-specific filter on a boolean column.
    /// </summary>
    public const string GeneratedFor = "GeneratedFor";

    private const int IdLength = LoyaltyModelBuilderExtensions.IdLength;
    private const int ShortLength = 64;

    public static void Add(ModelBuilder modelBuilder, string prefix, string? schema)
    {
        modelBuilder.Entity<ReferralCode>(e =>
        {
            e.ToTable(prefix + LoyaltyTableNames.ReferralCodes, schema);
            e.HasKey(x => x.Code);
            e.Property(x => x.Code).HasMaxLength(IdLength);
            e.Property(x => x.CustomerId).HasMaxLength(IdLength);
            e.Property<string?>(GeneratedFor).HasMaxLength(IdLength);
            e.HasIndex(GeneratedFor).IsUnique().HasDatabaseName(prefix + "ux_referral_codes_generated_for");
            e.HasIndex(x => new { x.CustomerId, x.CreatedAt }).HasDatabaseName(prefix + "ix_referral_codes_customer");
            LoyaltyModelBuilderExtensions.Finish(e);
        });

        modelBuilder.Entity<ReferralVisit>(e =>
        {
            e.ToTable(prefix + LoyaltyTableNames.ReferralVisits, schema);
            e.HasKey(x => x.Id);
            e.Property(x => x.Id).ValueGeneratedNever();
            e.Property(x => x.Code).HasMaxLength(IdLength);
            e.Property(x => x.AdvocateCustomerId).HasMaxLength(IdLength);
            e.Property(x => x.VisitorId).HasMaxLength(IdLength);
            e.Property(x => x.IpHash).HasMaxLength(IdLength);
            e.Property(x => x.Network).HasMaxLength(ShortLength);
            e.HasIndex(x => new { x.VisitorId, x.VisitedAt }).HasDatabaseName(prefix + "ix_referral_visits_visitor");
            e.HasIndex(x => new { x.Code, x.VisitedAt }).HasDatabaseName(prefix + "ix_referral_visits_code");
            e.HasIndex(x => new { x.IpHash, x.VisitedAt }).HasDatabaseName(prefix + "ix_referral_visits_ip_hash");
            e.HasIndex(x => new { x.AdvocateCustomerId, x.VisitedAt }).HasDatabaseName(prefix + "ix_referral_visits_advocate");
            LoyaltyModelBuilderExtensions.Finish(e);
        });

        modelBuilder.Entity<ReferralAttribution>(e =>
        {
            e.ToTable(prefix + LoyaltyTableNames.ReferralAttributions, schema);
            // The key is the friend: one attribution per friend, ever, enforced by the database.
            e.HasKey(x => x.FriendCustomerId);
            e.Property(x => x.FriendCustomerId).HasMaxLength(IdLength);
            e.Property(x => x.AdvocateCustomerId).HasMaxLength(IdLength);
            e.Property(x => x.Code).HasMaxLength(IdLength);
            e.Property(x => x.OrderId).HasMaxLength(IdLength);
            e.Property(x => x.Touch).HasMaxLength(ShortLength);
            e.Property(x => x.Network).HasMaxLength(ShortLength);
            e.Property(x => x.IpHash).HasMaxLength(IdLength);
            e.HasIndex(x => new { x.AdvocateCustomerId, x.AttributedAt }).HasDatabaseName(prefix + "ix_referral_attributions_advocate");
            e.HasIndex(x => new { x.IpHash, x.AttributedAt }).HasDatabaseName(prefix + "ix_referral_attributions_ip_hash");
            LoyaltyModelBuilderExtensions.Finish(e);
        });

        modelBuilder.Entity<ReferralReward>(e =>
        {
            e.ToTable(prefix + LoyaltyTableNames.ReferralRewards, schema);
            e.HasKey(x => x.Id);
            e.Property(x => x.Id).ValueGeneratedNever();
            e.Property(x => x.IdempotencyKey).HasMaxLength(850);
            e.Property(x => x.CustomerId).HasMaxLength(IdLength);
            e.Property(x => x.AdvocateCustomerId).HasMaxLength(IdLength);
            e.Property(x => x.FriendCustomerId).HasMaxLength(IdLength);
            e.Property(x => x.OrderId).HasMaxLength(IdLength);
            e.Property(x => x.Network).HasMaxLength(ShortLength);
            e.Property(x => x.Currency).HasMaxLength(3);
            e.Property(x => x.Version).IsConcurrencyToken();
            e.HasIndex(x => x.IdempotencyKey).IsUnique().HasDatabaseName(prefix + "ux_referral_rewards_idempotency_key");
            e.HasIndex(x => new { x.State, x.DueAt }).HasDatabaseName(prefix + "ix_referral_rewards_due");
            e.HasIndex(x => new { x.CustomerId, x.State, x.DueAt }).HasDatabaseName(prefix + "ix_referral_rewards_customer");
            e.HasIndex(x => x.FriendCustomerId).HasDatabaseName(prefix + "ix_referral_rewards_friend");
            LoyaltyModelBuilderExtensions.Finish(e);
        });

        modelBuilder.Entity<ReferralFraudDecision>(e =>
        {
            e.ToTable(prefix + LoyaltyTableNames.ReferralFraudDecisions, schema);
            e.HasKey(x => x.Id);
            e.Property(x => x.Id).ValueGeneratedNever();
            e.Property(x => x.FriendCustomerId).HasMaxLength(IdLength);
            e.Property(x => x.AdvocateCustomerId).HasMaxLength(IdLength);
            e.Property(x => x.Code).HasMaxLength(IdLength);
            e.Property(x => x.OrderId).HasMaxLength(IdLength);
            e.Property(x => x.Rule).HasMaxLength(ShortLength);
            e.HasIndex(x => new { x.FriendCustomerId, x.DecidedAt }).HasDatabaseName(prefix + "ix_referral_fraud_decisions_friend");
            LoyaltyModelBuilderExtensions.Finish(e);
        });

        modelBuilder.Entity<ShareEvent>(e =>
        {
            e.ToTable(prefix + LoyaltyTableNames.ShareEvents, schema);
            e.HasKey(x => x.Id);
            e.Property(x => x.Id).ValueGeneratedNever();
            e.Property(x => x.CustomerId).HasMaxLength(IdLength);
            e.Property(x => x.Network).HasMaxLength(ShortLength);
            e.Property(x => x.Subject).HasMaxLength(ShortLength);
            e.HasIndex(x => new { x.CustomerId, x.At }).HasDatabaseName(prefix + "ix_share_events_customer");
            LoyaltyModelBuilderExtensions.Finish(e);
        });

        modelBuilder.Entity<ReviewRequest>(e =>
        {
            e.ToTable(prefix + LoyaltyTableNames.ReviewRequests, schema);
            e.HasKey(x => new { x.CustomerId, x.OrderId });
            e.Property(x => x.CustomerId).HasMaxLength(IdLength);
            e.Property(x => x.OrderId).HasMaxLength(IdLength);
            e.Property(x => x.Products).HasConversion(ProductsConverter, ProductsComparer);
            LoyaltyModelBuilderExtensions.Finish(e);
        });

        modelBuilder.Entity<ProductReview>(e =>
        {
            e.ToTable(prefix + LoyaltyTableNames.ProductReviews, schema);
            e.HasKey(x => new { x.CustomerId, x.Sku });
            e.Property(x => x.CustomerId).HasMaxLength(IdLength);
            e.Property(x => x.Sku).HasMaxLength(IdLength);
            e.Property(x => x.OrderId).HasMaxLength(IdLength);
            LoyaltyModelBuilderExtensions.Finish(e);
        });

        modelBuilder.Entity<CustomerFingerprint>(e =>
        {
            e.ToTable(prefix + LoyaltyTableNames.CustomerFingerprints, schema);
            // (kind, value) first: the self-referral rules look customers up by fingerprint.
            e.HasKey(x => new { x.Kind, x.Value, x.CustomerId });
            e.Property(x => x.Kind).HasMaxLength(ShortLength);
            e.Property(x => x.Value).HasMaxLength(IdLength);
            e.Property(x => x.CustomerId).HasMaxLength(IdLength);
            LoyaltyModelBuilderExtensions.Finish(e);
        });
    }

    // A review request's products are one JSON array in a text column: they are read and written with their
    // request, never queried on their own.
    private static ValueConverter<List<ReviewRequestProduct>, string> ProductsConverter { get; } =
        new(v => ReviewProductsJson.Write(v), v => ReviewProductsJson.Read(v));

    private static ValueComparer<List<ReviewRequestProduct>> ProductsComparer { get; } = new(
        (a, b) => ReviewProductsJson.Write(a) == ReviewProductsJson.Write(b),
        v => StringComparer.Ordinal.GetHashCode(ReviewProductsJson.Write(v)),
        v => ReviewProductsJson.Read(ReviewProductsJson.Write(v)));
}
