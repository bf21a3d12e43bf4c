using System.Globalization;
using System.Text;
using Loyalty.EntityFrameworkCore;
using Loyalty.EntityFrameworkCore.Referrals;
using Loyalty.Stores;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Microsoft.EntityFrameworkCore;

/// <summary>Adds Loyalty's entities to any model: the shop's own DbContext or <see cref="LoyaltyDbContext"/>.</summary>
public static class LoyaltyModelBuilderExtensions
{
    /// <summary>Lengths of the columns that carry ids: keys and indexes need bounded lengths on some databases.</summary>
    internal const int IdLength = 256;

    /// <summary>
    /// Adds Loyalty's tables to the model (call it from <c>OnModelCreating</c>): processed events, customers,
    /// orders, scheduled steps and suppressions, and the referral and review programme's codes, visits,
    /// attributions, rewards, fraud decisions, share events, review requests, product reviews and customer
    /// fingerprints, with the keys and indexes that keep intake, the claim of due work, the referral look-ups
    /// and the per-customer queries independent of the tables' size.
    /// </summary>
    /// <remarks>
    /// Tables and columns are snake_case (<c>loyalty_scheduled_steps.available_at</c>). Every
    /// <see cref="DateTimeOffset"/> is stored as UTC ticks in a 64-bit integer, on every provider (SQLite cannot
    /// compare <see cref="DateTimeOffset"/> in SQL); values come back in UTC. Enums are stored as integers.
    /// Money (<see cref="CustomerOrder.Total"/>) is a decimal of precision 19 and scale 4: <c>numeric(19,4)</c> on
    /// PostgreSQL, TEXT on SQLite (exact, as EF stores decimals there). Returns the builder for chaining.
    /// </remarks>
    public static ModelBuilder AddLoyalty(this ModelBuilder modelBuilder, LoyaltyModelOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(modelBuilder);
        options ??= new LoyaltyModelOptions();
        var prefix = options.TablePrefix ?? "";
        var schema = options.Schema;

        modelBuilder.Entity<ProcessedEvent>(e =>
        {
            e.ToTable(prefix + LoyaltyTableNames.ProcessedEvents, schema);
            e.HasKey(x => x.EventId);
            e.Property(x => x.EventId).HasMaxLength(IdLength);
            e.Property(x => x.EventType).HasMaxLength(IdLength);
            e.Property(x => x.CustomerId).HasMaxLength(IdLength);
            Finish(e);
        });

        modelBuilder.Entity<LoyaltyCustomer>(e =>
        {
            e.ToTable(prefix + LoyaltyTableNames.Customers, schema);
            e.HasKey(x => x.CustomerId);
            e.Property(x => x.CustomerId).HasMaxLength(IdLength);
            e.Property(x => x.Email).HasMaxLength(320);
            e.Property(x => x.NormalizedEmail).HasMaxLength(320);
            e.Property(x => x.Version).IsConcurrencyToken();
            e.HasIndex(x => x.NormalizedEmail).HasDatabaseName(prefix + "ix_customers_normalized_email");
            Finish(e);
        });

        modelBuilder.Entity<CustomerOrder>(e =>
        {
            e.ToTable(prefix + LoyaltyTableNames.CustomerOrders, schema);
            e.HasKey(x => new { x.CustomerId, x.OrderId });
            e.Property(x => x.CustomerId).HasMaxLength(IdLength);
            e.Property(x => x.OrderId).HasMaxLength(IdLength);
            e.Property(x => x.Currency).HasMaxLength(3);
            e.Property(x => x.Total).HasPrecision(19, 4);
            Finish(e);
        });

        modelBuilder.Entity<ScheduledStep>(e =>
        {
            e.ToTable(prefix + LoyaltyTableNames.ScheduledSteps, schema);
            e.HasKey(x => x.Id);
            e.Property(x => x.Id).ValueGeneratedNever();
            e.Property(x => x.DedupeKey).HasMaxLength(850);
            e.Property(x => x.FlowId).HasMaxLength(IdLength);
            e.Property(x => x.CustomerId).HasMaxLength(IdLength);
            e.Property(x => x.TriggerEventId).HasMaxLength(IdLength);
            e.Property(x => x.TriggerKey).HasMaxLength(IdLength);
            e.Property(x => x.Category).HasMaxLength(IdLength);
            e.Property(x => x.LeaseOwner).HasMaxLength(IdLength);
            e.Property(x => x.Version).IsConcurrencyToken();
            e.Ignore(x => x.IsTerminal);
            e.HasIndex(x => x.DedupeKey).IsUnique().HasDatabaseName(prefix + "ux_scheduled_steps_dedupe_key");
            // The claim reads only active rows in AvailableAt order: a partial index keeps it independent of
            // how many finished rows the table holds. Lower-case unquoted names read the same on every provider.
            e.HasIndex(x => x.AvailableAt)
                .HasDatabaseName(prefix + "ix_scheduled_steps_claim")
                .HasFilter(ActiveStatesFilter);
            e.HasIndex(x => new { x.CustomerId, x.State }).HasDatabaseName(prefix + "ix_scheduled_steps_customer_state");
            Finish(e);
        });

        modelBuilder.Entity<Suppression>(e =>
        {
            e.ToTable(prefix + LoyaltyTableNames.Suppressions, schema);
            e.HasKey(x => new { x.NormalizedEmail, x.Category });
            e.Property(x => x.NormalizedEmail).HasMaxLength(320);
            e.Property(x => x.Category).HasMaxLength(IdLength);
            e.Property(x => x.Reason).HasMaxLength(IdLength);
            Finish(e);
        });

        ReferralModel.Add(modelBuilder, prefix, schema);
        return modelBuilder;
    }

    /// <summary>The SQL of the claim index's filter: the states a claim may take (Scheduled, Held).</summary>
    internal static string ActiveStatesFilter { get; } = string.Create(
        CultureInfo.InvariantCulture, $"state IN ({(int)StepState.Scheduled}, {(int)StepState.Held})");

    internal static void Finish<T>(EntityTypeBuilder<T> entity)
        where T : class
    {
        foreach (var property in entity.Metadata.GetDeclaredProperties())
        {
            property.SetColumnName(ToSnakeCase(property.Name));
            var clr = Nullable.GetUnderlyingType(property.ClrType) ?? property.ClrType;
            if (clr == typeof(DateTimeOffset))
            {
                property.SetValueConverter(UtcTicksConverter.Instance);
            }
        }
    }

    internal static string ToSnakeCase(string name)
    {
        var builder = new StringBuilder(name.Length + 8);
        for (var i = 0; i < name.Length; i++)
        {
            var c = name[i];
            if (char.IsUpper(c))
            {
                if (i > 0)
                {
                    builder.Append('_');
                }

                builder.Append(char.ToLowerInvariant(c));
            }
            else
            {
                builder.Append(c);
            }
        }

        return builder.ToString();
    }
}
