using System.Text;
using Loyalty.EntityFrameworkCore.Referrals;
using Loyalty.EntityFrameworkCore.Tests.Infrastructure;
using Loyalty.Stores;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using Xunit.Abstractions;
using static Loyalty.EntityFrameworkCore.Tests.Infrastructure.Records;

namespace Loyalty.EntityFrameworkCore.Tests.QueryPlans;

/// <summary>
/// Seeds 50,000 rows into each referral table on PostgreSQL and EXPLAINs the SQL the referral stores actually run:
/// every hot look-up (a code, a visitor's visits, a friend's attribution, the fraud caps, due rewards, a reward by
/// key, a review request, a fingerprint) must use an index, never scan a whole table.
/// </summary>
public sealed class PostgresReferralQueryPlanTests(PostgresDatabase database, ITestOutputHelper output)
    : IClassFixture<PostgresDatabase>, IAsyncLifetime
{
    private const int Rows = 50_000;
    private static readonly long Tick = TimeSpan.TicksPerSecond;
    private readonly CapturedCommands _captured = new();

    private LoyaltyDbContext NewContext() => new(new DbContextOptionsBuilder<LoyaltyDbContext>()
        .UseNpgsql(database.ConnectionString)
        .AddInterceptors(_captured)
        .Options);

    public async Task InitializeAsync()
    {
        await using var context = NewContext();
        await context.Database.EnsureCreatedAsync();
        var t = T0.UtcTicks;
        // 5,000 advocates with generated codes; 50,000 visits, friends and rewards; 5% of the rewards pending.
        var seed =
            $"""
            INSERT INTO loyalty_referral_codes (code, customer_id, is_vanity, disabled, created_at, generated_for)
              SELECT 'CODE' || g, 'c' || (g % 5000), g >= 5000, false, {t}, CASE WHEN g < 5000 THEN 'c' || g END FROM generate_series(0, {Rows - 1}) g;
            INSERT INTO loyalty_referral_visits (id, code, advocate_customer_id, visitor_id, ip_hash, network, visited_at)
              SELECT gen_random_uuid(), 'CODE' || (g % 5000), 'c' || (g % 5000), 'v' || g, 'ip' || (g % 20000), 'line', {t} + g::bigint * {Tick}
              FROM generate_series(1, {Rows}) g;
            INSERT INTO loyalty_referral_attributions (friend_customer_id, advocate_customer_id, code, order_id, order_placed_at, touch, network, ip_hash, refunded, attributed_at)
              SELECT 'f' || g, 'c' || (g % 5000), 'CODE' || (g % 5000), 'o' || g, {t} + g::bigint * {Tick}, 'visit', 'line', 'ip' || (g % 20000), false, {t} + g::bigint * {Tick}
              FROM generate_series(1, {Rows}) g;
            INSERT INTO loyalty_referral_rewards (id, idempotency_key, kind, customer_id, advocate_customer_id, friend_customer_id, order_id, network, currency,
                state, due_at, issued_at, created_at, updated_at, version)
              SELECT gen_random_uuid(), 'referral:advocate:f' || g, 1, 'c' || (g % 5000), 'c' || (g % 5000), 'f' || g, 'o' || g, 'line', 'TWD',
                CASE WHEN g % 20 = 0 THEN 0 ELSE 1 END, {t} + g::bigint * {Tick}, CASE WHEN g % 20 = 0 THEN NULL ELSE {t} + g::bigint * {Tick} END, {t}, {t}, 0
              FROM generate_series(1, {Rows}) g;
            INSERT INTO loyalty_referral_fraud_decisions (id, friend_customer_id, advocate_customer_id, code, order_id, rule, reason, decided_at)
              SELECT gen_random_uuid(), 'x' || g, 'c' || (g % 5000), 'CODE' || (g % 5000), 'o' || g, 'ip-cap', 'too many', {t} FROM generate_series(1, {Rows}) g;
            INSERT INTO loyalty_share_events (id, customer_id, network, kind, subject, at)
              SELECT gen_random_uuid(), 'c' || (g % 5000), 'line', 0, 'referral', {t} + g::bigint * {Tick} FROM generate_series(1, {Rows}) g;
            INSERT INTO loyalty_review_requests (customer_id, order_id, products, reminder_count, created_at)
              SELECT 'c' || (g % 5000), 'o' || g, '[]', 0, {t} FROM generate_series(1, {Rows}) g;
            INSERT INTO loyalty_product_reviews (customer_id, sku, rating, reviewed_at)
              SELECT 'c' || (g % 5000), 'SKU' || g, 5, {t} FROM generate_series(1, {Rows}) g;
            INSERT INTO loyalty_customer_fingerprints (kind, value, customer_id, seen_at)
              SELECT 'shipping', 'h' || (g % 25000), 'c' || g, {t} FROM generate_series(1, {Rows}) g;
            ANALYZE;
            """;
        await context.Database.ExecuteSqlRawAsync(seed);
    }

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task Every_hot_query_of_the_referral_stores_uses_an_index_on_tables_of_fifty_thousand_rows()
    {
        var plans = new List<(string Operation, string Sql, string Plan)>();
        async Task Explain(string operation, Func<LoyaltyDbContext, Task> run)
        {
            await using var context = NewContext();
            _captured.Clear();
            await run(context);
            foreach (var command in _captured.Commands.Where(c => !c.Sql.Contains("INSERT", StringComparison.Ordinal)).ToList())
            {
                plans.Add((operation, command.Sql, await ExplainAsync(command)));
            }
        }

        var now = T0.AddSeconds(Rows + 1);
        await Explain("code: add (code taken, customer has a generated code)", async c =>
        {
            var codes = new ReferralCodeStore<LoyaltyDbContext>(c);
            (await codes.TryAddAsync(new ReferralCode { Code = "CODE42", CustomerId = "c9", CreatedAt = now }, default)).Should().Be(ReferralCodeAddResult.CodeTaken);
            (await codes.TryAddAsync(new ReferralCode { Code = "NEW42", CustomerId = "c42", CreatedAt = now }, default)).Should().Be(ReferralCodeAddResult.CustomerHasGeneratedCode);
        });
        await Explain("code: find", async c => (await new ReferralCodeStore<LoyaltyDbContext>(c).FindByCodeAsync("CODE42", default)).Should().NotBeNull());
        await Explain("code: a customer's", async c => (await new ReferralCodeStore<LoyaltyDbContext>(c).GetByCustomerAsync("c42", default)).Should().HaveCount(10));
        await Explain("visits: a visitor's", async c => (await new ReferralVisitStore<LoyaltyDbContext>(c).GetByVisitorAsync("v42", T0, default)).Should().ContainSingle());
        await Explain("visits: an advocate's funnel", async c =>
            await new ReferralVisitStore<LoyaltyDbContext>(c).CountByNetworkAsync(new ReferralFunnelFilter { AdvocateCustomerId = "c42", Since = T0 }, default));
        await Explain("attribution: add", async c => (await new ReferralAttributionStore<LoyaltyDbContext>(c).TryAddAsync(
            new ReferralAttribution { FriendCustomerId = "f42", AdvocateCustomerId = "c1", Code = "CODE1", OrderId = "o", Touch = "code" }, default)).Should().BeFalse());
        await Explain("attribution: a friend's", async c => (await new ReferralAttributionStore<LoyaltyDbContext>(c).FindByFriendAsync("f42", default)).Should().NotBeNull());
        await Explain("attribution: refund", async c => await new ReferralAttributionStore<LoyaltyDbContext>(c).UpdateAsync(
            new ReferralAttribution { FriendCustomerId = "f42", AdvocateCustomerId = "c42", Code = "CODE42", OrderId = "o42", Touch = "visit", Refunded = true }, default));
        await Explain("attribution: per-advocate cap", async c => await new ReferralAttributionStore<LoyaltyDbContext>(c).CountByAdvocateAsync("c42", T0, default));
        await Explain("attribution: per-IP cap", async c => await new ReferralAttributionStore<LoyaltyDbContext>(c).CountByIpHashAsync("ip42", T0, default));
        await Explain("reward: add", async c => (await new ReferralRewardStore<LoyaltyDbContext>(c).TryAddAsync(new ReferralReward
        {
            IdempotencyKey = "referral:advocate:f42", CustomerId = "c42", AdvocateCustomerId = "c42", FriendCustomerId = "f42", OrderId = "o42",
        }, default)).Should().BeFalse());
        await Explain("reward: by key", async c => (await new ReferralRewardStore<LoyaltyDbContext>(c).FindByKeyAsync("referral:advocate:f42", default)).Should().NotBeNull());
        await Explain("reward: a friend's", async c => (await new ReferralRewardStore<LoyaltyDbContext>(c).GetByFriendAsync("f42", default)).Should().ContainSingle());
        await Explain("reward: due", async c => (await new ReferralRewardStore<LoyaltyDbContext>(c).GetDueAsync(now, null, 100, default)).Should().HaveCount(100));
        await Explain("reward: a customer's due", async c => (await new ReferralRewardStore<LoyaltyDbContext>(c).GetDueAsync(now, "c40", 100, default)).Should().HaveCount(10));
        await Explain("reward: guarded update", async c =>
        {
            var store = new ReferralRewardStore<LoyaltyDbContext>(c);
            var reward = (await store.FindByKeyAsync("referral:advocate:f40", default))!;
            reward.State = ReferralRewardState.Issued;
            (await store.TryUpdateAsync(reward, reward.Version, default)).Should().BeTrue();
        });
        await Explain("fraud: a friend's decisions", async c => await new ReferralFraudStore<LoyaltyDbContext>(c).GetByFriendAsync("x42", default));
        await Explain("shares: an advocate's funnel", async c =>
            await new ShareEventStore<LoyaltyDbContext>(c).CountByNetworkAsync(ShareEventKind.Opened, new ReferralFunnelFilter { AdvocateCustomerId = "c42" }, default));
        await Explain("review: request of an order", async c => (await new ReviewStore<LoyaltyDbContext>(c).FindRequestAsync("c42", "o42", default)).Should().NotBeNull());
        await Explain("review: a customer's reviewed skus", async c => (await new ReviewStore<LoyaltyDbContext>(c).GetReviewedSkusAsync("c42", default)).Should().HaveCount(10));
        await Explain("fingerprint: customers", async c => (await new CustomerFingerprintStore<LoyaltyDbContext>(c).FindCustomersAsync("shipping", "h42", default)).Should().HaveCount(2));

        var report = new StringBuilder();
        foreach (var (operation, sql, plan) in plans)
        {
            report.Append("-- ").AppendLine(operation).AppendLine(sql).AppendLine(plan).AppendLine();
        }

        output.WriteLine(report.ToString());
        await File.WriteAllTextAsync(Path.Combine(AppContext.BaseDirectory, "postgres-referral-query-plans.txt"), report.ToString());

        plans.Should().OnlyContain(p => !p.Plan.Contains("Seq Scan", StringComparison.Ordinal), "no hot query may read a whole table");
        plans.Should().OnlyContain(p => p.Plan.Contains("Index", StringComparison.Ordinal), "every hot query goes through an index");
        PlansOf("code: add").Should().Contain(p => p.Contains("loyalty_ux_referral_codes_generated_for", StringComparison.Ordinal));
        PlansOf("visits: a visitor's").Should().ContainSingle().Which.Should().Contain("loyalty_ix_referral_visits_visitor");
        PlansOf("attribution: per-IP cap").Should().ContainSingle().Which.Should().Contain("loyalty_ix_referral_attributions_ip_hash");
        PlansOf("reward: due").Should().ContainSingle().Which.Should().Contain("loyalty_ix_referral_rewards_due");

        IEnumerable<string> PlansOf(string operation) => plans.Where(p => p.Operation.StartsWith(operation, StringComparison.Ordinal)).Select(p => p.Plan);
    }

    private async Task<string> ExplainAsync(CapturedCommand captured)
    {
        await using var connection = new NpgsqlConnection(database.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("EXPLAIN " + captured.Sql, connection);
        command.Parameters.AddRange(captured.Parameters.ToArray());
        var lines = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            lines.Add(reader.GetString(0));
        }

        return string.Join(Environment.NewLine, lines);
    }
}
