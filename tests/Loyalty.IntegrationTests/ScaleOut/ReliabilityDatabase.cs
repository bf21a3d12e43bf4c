using System.Text.Json;
using Loyalty.EntityFrameworkCore;
using Loyalty.Events;
using Loyalty.IntegrationTests.Infrastructure;
using Loyalty.Stores;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Loyalty.IntegrationTests.ScaleOut;

/// <summary>
/// One PostgreSQL database shared by the worker processes of a test: schema, bulk seeding of due steps of the
/// worker's receipt flow, and the row states the assertions read.
/// </summary>
public sealed class ReliabilityDatabase
{
    /// <summary>tests/Loyalty.Worker's flow id (Program.FlowId).</summary>
    public const string FlowId = "reliability-receipt";

    /// <summary>The domain of the Message-IDs (the worker's From address).</summary>
    public const string MessageIdDomain = "shop.example";

    private ReliabilityDatabase(string connectionString)
    {
        ConnectionString = connectionString;
    }

    public string ConnectionString { get; }

    public static async Task<ReliabilityDatabase> CreateAsync(PostgresFixture postgres, string prefix)
    {
        ArgumentNullException.ThrowIfNull(postgres);
        var database = new ReliabilityDatabase(await postgres.CreateDatabaseAsync(prefix));
        await using var db = database.NewContext();
        await db.Database.EnsureCreatedAsync();
        return database;
    }

    public LoyaltyDbContext NewContext() =>
        new(new DbContextOptionsBuilder<LoyaltyDbContext>().UseNpgsql(ConnectionString).Options);

    /// <summary>The Message-ID (without angle brackets) the dispatcher gives the send of a step.</summary>
    public static string MessageIdOf(Guid stepId) => $"{stepId:N}@{MessageIdDomain}";

    /// <summary>
    /// Inserts one customer per address (unless it exists) and one due receipt step for each, as intake would have
    /// written them for an immediate transactional flow; returns the step ids.
    /// </summary>
    public async Task<IReadOnlyList<Guid>> SeedDueSendsAsync(IReadOnlyList<string> customerIds, string trigger, Func<string, string>? emailOf = null)
    {
        ArgumentNullException.ThrowIfNull(customerIds);
        emailOf ??= id => $"{id}@example.test";
        var now = DateTimeOffset.UtcNow;
        var ids = new List<Guid>(customerIds.Count);
        await using var db = NewContext();
        db.ChangeTracker.AutoDetectChangesEnabled = false;
        var existing = (await db.Customers.AsNoTracking().Select(c => c.CustomerId).ToListAsync()).ToHashSet(StringComparer.Ordinal);
        foreach (var customerId in customerIds)
        {
            var email = emailOf(customerId);
            if (existing.Add(customerId))
            {
                db.Customers.Add(new LoyaltyCustomer
                {
                    CustomerId = customerId,
                    Email = email,
                    NormalizedEmail = email.ToLowerInvariant(),
                    FirstName = "Ada",
                    CreatedAt = now,
                    UpdatedAt = now,
                });
            }

            var eventId = $"{trigger}-{customerId}";
            var order = new OrderPlaced
            {
                EventId = eventId,
                OccurredAt = now,
                CustomerId = customerId,
                Customer = new CustomerSnapshot { Email = email, FirstName = "Ada" },
                OrderId = $"{trigger}-order-{customerId}",
                Currency = "TWD",
                Total = 480m,
                Lines = [new OrderLine { Sku = "oolong-100g", ProductName = "Oolong 100 g", Quantity = 1, UnitPrice = 480m }],
            };
            var id = Guid.CreateVersion7(now);
            ids.Add(id);
            db.ScheduledSteps.Add(new ScheduledStep
            {
                Id = id,
                DedupeKey = $"{FlowId}|0|{customerId}|{order.OrderId}",
                FlowId = FlowId,
                StepIndex = 0,
                CustomerId = customerId,
                TriggerEventId = eventId,
                TriggerKey = order.OrderId,
                TriggerOccurredAt = now,
                EventJson = JsonSerializer.Serialize<LoyaltyEvent>(order),
                Category = "transactional",
                DueAt = now,
                AvailableAt = now,
                State = StepState.Scheduled,
                CreatedAt = now,
                UpdatedAt = now,
            });
        }

        await db.SaveChangesAsync();
        return ids;
    }

    /// <summary>Every step, as the assertions need it.</summary>
    public async Task<IReadOnlyList<ScheduledStep>> StepsAsync()
    {
        await using var db = NewContext();
        return await db.ScheduledSteps.AsNoTracking().ToListAsync();
    }

    /// <summary>Steps still Scheduled or Held whose reason says a connection failed (not a 4xx reply).</summary>
    public async Task<int> CountConnectionHoldsAsync()
    {
        await using var db = NewContext();
        return await db.ScheduledSteps.CountAsync(s => s.State == StepState.Held && s.Reason != null
            && s.Reason.StartsWith("transient:") && !s.Reason.Contains("451"));
    }

    /// <summary>Ends every database session of the worker processes (a database outage as they see it).</summary>
    public async Task<int> TerminateWorkerSessionsAsync()
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = current_database() AND application_name LIKE 'loyalty-worker:%'",
            connection);
        return Convert.ToInt32(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }
}
