// The C# examples of docs/getting-started.md. Each "// snippet: NAME" ... "// end snippet" region is what the
// markdown shows under <!-- snippet: NAME -->; DocsTests checks that they are identical, and the compiler checks
// that they build against the packages.
using Hangfire;
using Hangfire.PostgreSql;
using Loyalty.Email.Flows;
using Loyalty.Events;
using Loyalty.Publishing;
using Loyalty.Validation;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Loyalty.Cli.Tests.DocExamples;

// snippet: dbcontext
public sealed class ShopDbContext(DbContextOptions<ShopDbContext> options) : DbContext(options)
{
    public DbSet<ShopOrder> Orders => Set<ShopOrder>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        base.OnModelCreating(modelBuilder);
        modelBuilder.AddLoyalty();              // Loyalty's tables (loyalty_*) in the shop's own model and migrations
    }
}
// end snippet

public sealed class ShopOrder
{
    public int Id { get; set; }

    public string CustomerId { get; set; } = "";

    public DateTimeOffset PlacedAt { get; set; }

    public decimal Total { get; set; }

    public List<OrderLine> Lines { get; set; } = [];
}

public static class GettingStartedExamples
{
    public static void Register(IServiceCollection services, IConfiguration configuration)
    {
        // snippet: register
        services.AddDbContext<ShopDbContext>(db => db.UseSqlite(configuration.GetConnectionString("Shop")));
        services.AddLoyalty(configuration.GetSection("Loyalty"))
            .AddEmail(email => email
                .AddServiceRecovery()
                .AddFlow("starter-kit-checkin", flow => flow
                    .On(EventTypes.OrderPlaced).WhenOrderHasTag("starter-kit").Transactional()
                    .Wait(TimeSpan.FromDays(30)).ExitWhen(BuiltInCondition.OrderedAgainSinceTrigger)
                    .Send("starter-kit-checkin")))
            .AddReferrals()
            .AddInMemoryReferralStores()
            .UseEntityFrameworkCore<ShopDbContext>();
        // end snippet
    }

    public static void HangfireInMemory(IServiceCollection services)
    {
        // snippet: hangfire-in-memory
        services.AddHangfire(h => h
            .SetDataCompatibilityLevel(CompatibilityLevel.Version_180)
            .UseSimpleAssemblyNameTypeSerializer()
            .UseRecommendedSerializerSettings()
            .UseInMemoryStorage());          // one process; jobs are lost on restart (the steps are not: they live in your database)
        services.AddHangfireServer();
        // end snippet
    }

    public static void HangfirePostgres(IServiceCollection services, IConfiguration configuration)
    {
        // snippet: hangfire-postgresql
        services.AddHangfire(h => h
            .SetDataCompatibilityLevel(CompatibilityLevel.Version_180)
            .UseSimpleAssemblyNameTypeSerializer()
            .UseRecommendedSerializerSettings()
            .UsePostgreSqlStorage(pg => pg.UseNpgsqlConnection(configuration.GetConnectionString("Loyalty"))));
        services.AddHangfireServer(server => server.WorkerCount = 8);
        // end snippet
    }

    public static void StoresInOwnContext(IServiceCollection services, IConfiguration configuration)
    {
        // snippet: unit-of-work-options
        services.AddLoyalty(configuration.GetSection("Loyalty"))
            .AddEmail()
            .UseEntityFrameworkCore<ShopDbContext>(ef => ef.AutoSaveChanges = false); // your SaveChanges writes Loyalty's rows
        // end snippet
    }

    public static async Task PublishAsync(ILoyaltyPublisher publisher, ShopDbContext db, CancellationToken cancellationToken)
    {
        // snippet: publish
        var order = new ShopOrder { CustomerId = "c-42" };
        db.Orders.Add(order);
        await db.SaveChangesAsync(cancellationToken);

        try
        {
            await publisher.PublishAsync(new OrderPlaced
            {
                EventId = $"order-placed:{order.Id}",           // your idempotency key: publishing it twice has the effect of once
                OccurredAt = DateTimeOffset.UtcNow,
                CustomerId = order.CustomerId,
                Customer = new CustomerSnapshot { Email = "mei@example.com", FirstName = "Mei", Locale = "zh-TW", TimeZone = "Asia/Taipei" },
                OrderId = order.Id.ToString(System.Globalization.CultureInfo.InvariantCulture),
                Currency = "TWD",
                Total = 1200m,
                Lines = [new OrderLine { Sku = "starter-kit", ProductName = "Starter Kit", Quantity = 1, UnitPrice = 1200m, Tags = ["starter-kit"] }],
            }, cancellationToken);
        }
        catch (EventValidationException ex)
        {
            // Nothing was stored; every bad field is named.
            foreach (var problem in ex.Problems)
            {
                Console.Error.WriteLine($"{problem.Field}: {problem.Message}");
            }
        }
        // end snippet
    }

    public static async Task ServiceIssueAsync(ILoyaltyPublisher publisher, CancellationToken cancellationToken)
    {
        // snippet: service-issue
        await publisher.PublishAsync(new ServiceIssueDetected
        {
            EventId = "late-delivery:5001",
            OccurredAt = DateTimeOffset.UtcNow,
            CustomerId = "c-42",
            IssueId = "late-delivery:5001",
            Kind = "late-delivery",
            Severity = ServiceIssueSeverity.Medium,
            OrderId = "5001",
            SuggestedCredit = 50m,
            Currency = "TWD",
        }, cancellationToken);
        // end snippet
    }

    public static async Task PublishManyAsync(ILoyaltyPublisher publisher, IReadOnlyList<ShopOrder> history, CancellationToken cancellationToken)
    {
        // snippet: publish-many
        // An import of order history: up to MaxPublishBatchSize events per call, one transaction per call.
        foreach (var chunk in history.Chunk(500))
        {
            var events = chunk.Select(order => (LoyaltyEvent)new OrderPlaced
            {
                EventId = $"order-placed:{order.Id}",
                OccurredAt = order.PlacedAt,
                CustomerId = order.CustomerId,
                OrderId = order.Id.ToString(System.Globalization.CultureInfo.InvariantCulture),
                Currency = "TWD",
                Total = order.Total,
                Lines = order.Lines,
            }).ToList();
            var results = await publisher.PublishManyAsync(events, cancellationToken); // one result per event, in order
            Console.WriteLine($"{results.Count(r => r.Accepted)} new, {results.Count(r => !r.Accepted)} seen before");
        }
        // end snippet
    }
}
