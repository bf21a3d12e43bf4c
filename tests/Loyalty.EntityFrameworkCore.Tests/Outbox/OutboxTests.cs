using Loyalty.EntityFrameworkCore.Stores;
using Loyalty.EntityFrameworkCore.Tests.Infrastructure;
using Loyalty.Stores;
using Microsoft.EntityFrameworkCore;
using static Loyalty.EntityFrameworkCore.Tests.Infrastructure.Records;

namespace Loyalty.EntityFrameworkCore.Tests.Outbox;

/// <summary>
/// Loyalty's rows in the shop's own DbContext: an order and the loyalty event it caused commit or roll back
/// together (the transactional outbox).
/// </summary>
public abstract class OutboxTests : IAsyncLifetime
{
    private static readonly CancellationToken None = CancellationToken.None;

    protected abstract ShopDbContext CreateShopContext();

    public async Task InitializeAsync()
    {
        await using var shop = CreateShopContext();
        await shop.Database.EnsureDeletedAsync();
        await shop.Database.EnsureCreatedAsync();
    }

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task Rolling_back_the_shops_transaction_leaves_neither_the_order_nor_the_loyalty_rows()
    {
        await using (var shop = CreateShopContext())
        {
            await using var transaction = await shop.Database.BeginTransactionAsync();
            shop.Orders.Add(new ShopOrder { Id = "o1", Total = 10m });
            await shop.SaveChangesAsync();

            (await new IntakeStore<ShopDbContext>(shop).CommitAsync(OrderPlaced(), None)).Should().Be(IntakeCommitResult.Committed);
            await new SuppressionStore<ShopDbContext>(shop).AddAsync(Unsubscribed(), None);

            await transaction.RollbackAsync();
        }

        (await CountsAsync()).Should().Be(new Counts(0, 0, 0, 0, 0, 0));
    }

    [Fact]
    public async Task Committing_the_shops_transaction_writes_the_order_and_the_loyalty_rows_exactly_once()
    {
        await using (var shop = CreateShopContext())
        {
            await using var transaction = await shop.Database.BeginTransactionAsync();
            shop.Orders.Add(new ShopOrder { Id = "o1", Total = 10m });

            (await new IntakeStore<ShopDbContext>(shop).CommitAsync(OrderPlaced(), None)).Should().Be(IntakeCommitResult.Committed);
            await new SuppressionStore<ShopDbContext>(shop).AddAsync(Unsubscribed(), None);
            await transaction.CommitAsync();

            shop.ChangeTracker.Entries().Should().OnlyContain(e => e.Entity is ShopOrder, "the stores leave nothing of theirs tracked");
            (await shop.SaveChangesAsync()).Should().Be(0);
        }

        (await CountsAsync()).Should().Be(new Counts(1, 1, 1, 1, 1, 1));
    }

    [Fact]
    public async Task Without_auto_save_the_shops_own_SaveChanges_writes_the_loyalty_rows()
    {
        await using var shop = CreateShopContext();
        var intake = new IntakeStore<ShopDbContext>(shop) { AutoSaveChanges = false };
        var suppressions = new SuppressionStore<ShopDbContext>(shop) { AutoSaveChanges = false };

        (await intake.CommitAsync(OrderPlaced(), None)).Should().Be(IntakeCommitResult.Committed);
        await suppressions.AddAsync(Unsubscribed(), None);
        (await CountsAsync()).Should().Be(new Counts(0, 0, 0, 0, 0, 0), "nothing is written before the shop saves");

        shop.Orders.Add(new ShopOrder { Id = "o1", Total = 10m });
        await shop.SaveChangesAsync();

        (await CountsAsync()).Should().Be(new Counts(1, 1, 1, 1, 1, 1));
    }

    [Fact]
    public async Task A_refused_commit_leaves_nothing_behind_for_the_shops_next_SaveChanges()
    {
        await using (var shop = CreateShopContext())
        {
            var intake = new IntakeStore<ShopDbContext>(shop);
            await intake.CommitAsync(OrderPlaced(), None);

            var stale = OrderPlaced("e2");
            stale.ExpectedCustomerVersion = null;
            (await intake.CommitAsync(stale, None)).Should().Be(IntakeCommitResult.Conflict);
            (await intake.CommitAsync(OrderPlaced(), None)).Should().Be(IntakeCommitResult.DuplicateEvent);

            shop.Orders.Add(new ShopOrder { Id = "o1", Total = 10m });
            await shop.SaveChangesAsync();
            shop.ChangeTracker.Entries().Should().OnlyContain(e => e.Entity is ShopOrder);
        }

        (await CountsAsync()).Should().Be(new Counts(1, 1, 1, 1, 1, 0));
    }

    [Fact]
    public async Task Rows_the_shop_already_tracks_do_not_stop_the_stores()
    {
        await using var shop = CreateShopContext();
        var intake = new IntakeStore<ShopDbContext>(shop);
        await intake.CommitAsync(OrderPlaced(), None);
        _ = await shop.Set<LoyaltyCustomer>().SingleAsync();

        var next = OrderPlaced("e2");
        next.ExpectedCustomerVersion = 1;
        next.Steps.Clear();

        (await intake.CommitAsync(next, None)).Should().Be(IntakeCommitResult.Committed);
        (await new CustomerStore<ShopDbContext>(shop).FindByIdAsync("c1", None))!.Version.Should().Be(2);
    }

    private static IntakeChangeSet OrderPlaced(string eventId = "e1")
    {
        var changes = Schedule(eventId, Step("check-in:0:c1:" + eventId, T0.AddDays(30), triggerEventId: eventId));
        changes.Customer = Customer();
        changes.Orders.Add(Order("o1"));
        return changes;
    }

    private static Suppression Unsubscribed() =>
        new() { NormalizedEmail = "ann@example.com", Category = "marketing", Reason = "unsubscribed", CreatedAt = T0 };

    private async Task<Counts> CountsAsync()
    {
        await using var shop = CreateShopContext();
        return new Counts(
            await shop.Orders.CountAsync(),
            await shop.Set<ProcessedEvent>().CountAsync(),
            await shop.Set<LoyaltyCustomer>().CountAsync(),
            await shop.Set<CustomerOrder>().CountAsync(),
            await shop.Set<ScheduledStep>().CountAsync(),
            await shop.Set<Suppression>().CountAsync());
    }

    private sealed record Counts(int ShopOrders, int Events, int Customers, int Orders, int Steps, int Suppressions);
}

public sealed class SqliteOutboxTests(SqliteDatabase database) : OutboxTests, IClassFixture<SqliteDatabase>
{
    protected override ShopDbContext CreateShopContext() =>
        new(new DbContextOptionsBuilder<ShopDbContext>().UseSqlite(database.ConnectionString).Options);
}

public sealed class PostgresOutboxTests(PostgresDatabase database) : OutboxTests, IClassFixture<PostgresDatabase>
{
    protected override ShopDbContext CreateShopContext() =>
        new(new DbContextOptionsBuilder<ShopDbContext>().UseNpgsql(database.ConnectionString).Options);
}
