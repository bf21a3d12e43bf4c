using Loyalty.EntityFrameworkCore.Tests.Infrastructure;
using Loyalty.Stores;
using static Loyalty.EntityFrameworkCore.Tests.Infrastructure.Records;

namespace Loyalty.EntityFrameworkCore.Tests.Contract;

/// <summary>
/// What every implementation of the referral stores must do, run against each of them (the in-memory store of
/// Loyalty.Referrals is the behavioural reference). Every test starts from empty stores.
/// </summary>
public abstract class ReferralStoreContractTests : IAsyncLifetime
{
    private const int Racers = 6;
    private static readonly CancellationToken None = CancellationToken.None;

    /// <summary>Opens the stores as one unit of work; sessions opened by one test share the same data.</summary>
    protected abstract ReferralStoreSession OpenSession();

    /// <summary>Empties the stores before a test.</summary>
    protected abstract Task ResetAsync();

    public Task InitializeAsync() => ResetAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task A_code_is_stored_found_and_listed_per_customer_oldest_first()
    {
        await using (var s = OpenSession())
        {
            (await s.Codes.TryAddAsync(Code("ANN-VIP", "c1", vanity: true, at: T0.AddHours(1)), None)).Should().Be(ReferralCodeAddResult.Added);
            (await s.Codes.TryAddAsync(Code("ANN123", "c1", at: T0), None)).Should().Be(ReferralCodeAddResult.Added);
            (await s.Codes.TryAddAsync(Code("BOB456", "c2"), None)).Should().Be(ReferralCodeAddResult.Added);
        }

        await using var read = OpenSession();
        (await read.Codes.FindByCodeAsync("ANN123", None)).Should().BeEquivalentTo(Code("ANN123", "c1", at: T0));
        (await read.Codes.FindByCodeAsync("NOPE", None)).Should().BeNull();
        (await read.Codes.GetByCustomerAsync("c1", None)).Select(c => c.Code).Should().Equal("ANN123", "ANN-VIP");
        (await read.Codes.GetByCustomerAsync("c9", None)).Should().BeEmpty();
    }

    [Fact]
    public async Task A_taken_code_or_a_second_generated_code_is_refused_but_vanity_codes_may_be_many()
    {
        await using var s = OpenSession();
        (await s.Codes.TryAddAsync(Code("ANN123", "c1"), None)).Should().Be(ReferralCodeAddResult.Added);

        (await s.Codes.TryAddAsync(Code("ANN123", "c2"), None)).Should().Be(ReferralCodeAddResult.CodeTaken);
        (await s.Codes.TryAddAsync(Code("ANN123", "c1", vanity: true), None)).Should().Be(ReferralCodeAddResult.CodeTaken);
        (await s.Codes.TryAddAsync(Code("ANN999", "c1"), None)).Should().Be(ReferralCodeAddResult.CustomerHasGeneratedCode);
        (await s.Codes.TryAddAsync(Code("ANN-ONE", "c1", vanity: true), None)).Should().Be(ReferralCodeAddResult.Added);
        (await s.Codes.TryAddAsync(Code("ANN-TWO", "c1", vanity: true), None)).Should().Be(ReferralCodeAddResult.Added);

        (await s.Codes.FindByCodeAsync("ANN123", None))!.CustomerId.Should().Be("c1");
        (await s.Codes.GetByCustomerAsync("c1", None)).Should().HaveCount(3);
        (await s.Codes.GetByCustomerAsync("c2", None)).Should().BeEmpty();
    }

    [Fact]
    public async Task The_same_code_added_by_several_writers_at_once_is_stored_once()
    {
        var results = await Race((s, i) => s.Codes.TryAddAsync(Code("SAME1", "c" + i), None));

        results.Count(r => r == ReferralCodeAddResult.Added).Should().Be(1);
        results.Where(r => r != ReferralCodeAddResult.Added).Should().AllBeEquivalentTo(ReferralCodeAddResult.CodeTaken);
        await using var read = OpenSession();
        var winner = (await read.Codes.FindByCodeAsync("SAME1", None))!.CustomerId;
        (await read.Codes.GetByCustomerAsync(winner, None)).Should().ContainSingle();
    }

    [Fact]
    public async Task Generated_codes_for_one_customer_added_at_once_store_one()
    {
        var results = await Race((s, i) => s.Codes.TryAddAsync(Code("GEN" + i, "c1"), None));

        results.Count(r => r == ReferralCodeAddResult.Added).Should().Be(1);
        results.Where(r => r != ReferralCodeAddResult.Added).Should().AllBeEquivalentTo(ReferralCodeAddResult.CustomerHasGeneratedCode);
        await using var read = OpenSession();
        (await read.Codes.GetByCustomerAsync("c1", None)).Should().ContainSingle();
    }

    [Fact]
    public async Task Visits_of_a_visitor_are_read_newest_first_inside_the_window()
    {
        await using (var s = OpenSession())
        {
            await s.Visits.AddAsync(Visit("v1", T0.AddDays(-10)), None);
            await s.Visits.AddAsync(Visit("v1", T0.AddDays(-2), code: "BOB456", advocate: "c2"), None);
            await s.Visits.AddAsync(Visit("v1", T0), None);
            await s.Visits.AddAsync(Visit("v2", T0), None);
            await s.Visits.AddAsync(Visit(null, T0), None);
        }

        await using var read = OpenSession();
        var visits = await read.Visits.GetByVisitorAsync("v1", T0.AddDays(-2), None);
        visits.Select(v => v.VisitedAt).Should().Equal(T0, T0.AddDays(-2));
        visits[1].Should().BeEquivalentTo(Visit("v1", T0.AddDays(-2), code: "BOB456", advocate: "c2"), o => o.Excluding(v => v.Id));
        (await read.Visits.GetByVisitorAsync("v1", T0.AddDays(-30), None)).Should().HaveCount(3);
        (await read.Visits.GetByVisitorAsync("v3", T0.AddDays(-30), None)).Should().BeEmpty();
    }

    [Fact]
    public async Task Visits_are_counted_by_network_for_an_advocate_and_a_time_window()
    {
        await using (var s = OpenSession())
        {
            await s.Visits.AddAsync(Visit("v1", T0, network: "line"), None);
            await s.Visits.AddAsync(Visit("v2", T0.AddHours(1), network: "line"), None);
            await s.Visits.AddAsync(Visit("v3", T0.AddHours(2), network: "x"), None);
            await s.Visits.AddAsync(Visit("v4", T0.AddHours(3), network: null), None);
            await s.Visits.AddAsync(Visit("v5", T0.AddHours(1), network: "line", advocate: "c2"), None);
            await s.Visits.AddAsync(Visit("v6", T0.AddDays(-1), network: "line"), None);
        }

        await using var read = OpenSession();
        (await read.Visits.CountByNetworkAsync(new ReferralFunnelFilter(), None)).Should().BeEquivalentTo(
            new Dictionary<string, int> { ["line"] = 4, ["x"] = 1, [""] = 1 });
        (await read.Visits.CountByNetworkAsync(new ReferralFunnelFilter { AdvocateCustomerId = "c1", Since = T0, Until = T0.AddHours(3) }, None))
            .Should().BeEquivalentTo(new Dictionary<string, int> { ["line"] = 2, ["x"] = 1 });
        (await read.Visits.CountByNetworkAsync(new ReferralFunnelFilter { AdvocateCustomerId = "c9" }, None)).Should().BeEmpty();
    }

    [Fact]
    public async Task An_attribution_is_stored_found_updated_and_counted()
    {
        await using (var s = OpenSession())
        {
            (await s.Attributions.TryAddAsync(Attribution("f1", at: T0, ip: "ip-a", network: "line"), None)).Should().BeTrue();
            (await s.Attributions.TryAddAsync(Attribution("f2", at: T0.AddDays(1), ip: "ip-a", network: "line"), None)).Should().BeTrue();
            (await s.Attributions.TryAddAsync(Attribution("f3", at: T0.AddDays(2), ip: "ip-b", network: null), None)).Should().BeTrue();
            (await s.Attributions.TryAddAsync(Attribution("f4", advocate: "c2", at: T0.AddDays(2), ip: "ip-a", network: "x"), None)).Should().BeTrue();
            (await s.Attributions.TryAddAsync(Attribution("f1", advocate: "c2", at: T0.AddDays(3)), None)).Should().BeFalse("a friend is attributed once");
        }

        await using var read = OpenSession();
        var found = await read.Attributions.FindByFriendAsync("f1", None);
        found.Should().BeEquivalentTo(Attribution("f1", at: T0, ip: "ip-a", network: "line"));
        (await read.Attributions.FindByFriendAsync("f9", None)).Should().BeNull();

        found!.Refunded = true;
        await read.Attributions.UpdateAsync(found, None);
        await read.Attributions.UpdateAsync(Attribution("f9"), None);
        (await read.Attributions.FindByFriendAsync("f1", None))!.Refunded.Should().BeTrue();
        (await read.Attributions.FindByFriendAsync("f9", None)).Should().BeNull("an update does not create");

        (await read.Attributions.CountByAdvocateAsync("c1", T0.AddDays(1), None)).Should().Be(2);
        (await read.Attributions.CountByAdvocateAsync("c1", T0, None)).Should().Be(3);
        (await read.Attributions.CountByIpHashAsync("ip-a", T0.AddDays(1), None)).Should().Be(2);
        (await read.Attributions.CountByIpHashAsync("ip-z", T0, None)).Should().Be(0);
        (await read.Attributions.CountByNetworkAsync(new ReferralFunnelFilter { AdvocateCustomerId = "c1" }, None))
            .Should().BeEquivalentTo(new Dictionary<string, int> { ["line"] = 2, [""] = 1 });
        (await read.Attributions.CountByNetworkAsync(new ReferralFunnelFilter { Since = T0.AddDays(1), Until = T0.AddDays(2) }, None))
            .Should().BeEquivalentTo(new Dictionary<string, int> { ["line"] = 1 }, "the window is on the order time");
    }

    [Fact]
    public async Task Attributions_of_one_friend_written_at_once_store_one()
    {
        var results = await Race((s, i) => s.Attributions.TryAddAsync(Attribution("f1", advocate: "c" + i), None));

        results.Count(r => r).Should().Be(1);
        await using var read = OpenSession();
        var winner = (await read.Attributions.FindByFriendAsync("f1", None))!.AdvocateCustomerId;
        winner.Should().Be("c" + Array.IndexOf(results, true));
        (await read.Attributions.CountByAdvocateAsync(winner, T0.AddYears(-1), None)).Should().Be(1);
    }

    [Fact]
    public async Task A_reward_is_stored_once_per_idempotency_key_and_found_by_key_and_friend()
    {
        await using (var s = OpenSession())
        {
            (await s.Rewards.TryAddAsync(Reward("referral:friend:f1", ReferralRewardKind.Friend, due: T0), None)).Should().BeTrue();
            (await s.Rewards.TryAddAsync(Reward("referral:advocate:f1", ReferralRewardKind.Advocate, due: T0.AddDays(30), created: T0.AddMinutes(1)), None)).Should().BeTrue();
            (await s.Rewards.TryAddAsync(Reward("referral:friend:f1", ReferralRewardKind.Friend, due: T0.AddDays(1)), None)).Should().BeFalse();
            (await s.Rewards.TryAddAsync(Reward("referral:friend:f2", ReferralRewardKind.Friend, friend: "f2", due: T0), None)).Should().BeTrue();
        }

        await using var read = OpenSession();
        (await read.Rewards.FindByKeyAsync("referral:friend:f1", None)).Should().BeEquivalentTo(Reward("referral:friend:f1", ReferralRewardKind.Friend, due: T0), o => o.Excluding(r => r.Id));
        (await read.Rewards.FindByKeyAsync("referral:friend:f9", None)).Should().BeNull();
        (await read.Rewards.GetByFriendAsync("f1", None)).Select(r => r.IdempotencyKey).Should().Equal("referral:friend:f1", "referral:advocate:f1");
        (await read.Rewards.GetByFriendAsync("f9", None)).Should().BeEmpty();
    }

    [Fact]
    public async Task The_same_reward_added_by_several_workers_at_once_is_stored_once()
    {
        var results = await Race((s, i) => s.Rewards.TryAddAsync(Reward("referral:advocate:f1", ReferralRewardKind.Advocate, due: T0), None));

        results.Count(r => r).Should().Be(1);
        await using var read = OpenSession();
        (await read.Rewards.GetByFriendAsync("f1", None)).Should().ContainSingle();
    }

    [Fact]
    public async Task Due_rewards_are_pending_ones_whose_time_has_come_oldest_first()
    {
        await using (var s = OpenSession())
        {
            await s.Rewards.TryAddAsync(Reward("k-late", ReferralRewardKind.Advocate, due: T0.AddDays(2)), None);
            await s.Rewards.TryAddAsync(Reward("k-old", ReferralRewardKind.Advocate, due: T0.AddDays(-1), customer: "c2"), None);
            await s.Rewards.TryAddAsync(Reward("k-now", ReferralRewardKind.Friend, due: T0, customer: "f1"), None);
            await s.Rewards.TryAddAsync(Reward("k-issued", ReferralRewardKind.Friend, due: T0.AddDays(-5), state: ReferralRewardState.Issued), None);
            await s.Rewards.TryAddAsync(Reward("k-blocked", ReferralRewardKind.Friend, due: T0.AddDays(-5), state: ReferralRewardState.Blocked), None);
        }

        await using var read = OpenSession();
        (await read.Rewards.GetDueAsync(T0, null, 10, None)).Select(r => r.IdempotencyKey).Should().Equal("k-old", "k-now");
        (await read.Rewards.GetDueAsync(T0, null, 1, None)).Select(r => r.IdempotencyKey).Should().Equal("k-old");
        (await read.Rewards.GetDueAsync(T0, "f1", 10, None)).Select(r => r.IdempotencyKey).Should().Equal("k-now");
        (await read.Rewards.GetDueAsync(T0.AddDays(3), "c1", 10, None)).Select(r => r.IdempotencyKey).Should().Equal("k-late");
        (await read.Rewards.GetDueAsync(T0.AddDays(-3), null, 10, None)).Should().BeEmpty();
    }

    [Fact]
    public async Task A_reward_update_is_written_only_over_the_version_it_was_read_at()
    {
        await using var s = OpenSession();
        await s.Rewards.TryAddAsync(Reward("k1", ReferralRewardKind.Advocate, due: T0), None);

        var read = (await s.Rewards.FindByKeyAsync("k1", None))!;
        read.Version.Should().Be(0);
        read.State = ReferralRewardState.Issued;
        read.IssuedAt = T0.AddDays(1);
        read.IssuedDescription = "coupon THANKS-100";
        read.UpdatedAt = T0.AddDays(1);
        (await s.Rewards.TryUpdateAsync(read, 0, None)).Should().BeTrue();
        read.Version.Should().Be(1);

        var stale = Reward("k1", ReferralRewardKind.Advocate, due: T0, state: ReferralRewardState.Cancelled);
        (await s.Rewards.TryUpdateAsync(stale, 0, None)).Should().BeFalse("the stored version moved on");
        stale.Version.Should().Be(0);
        (await s.Rewards.TryUpdateAsync(Reward("k-missing", ReferralRewardKind.Friend, due: T0), 0, None)).Should().BeFalse();

        var stored = await s.Rewards.FindByKeyAsync("k1", None);
        stored.Should().BeEquivalentTo(read);
        stored!.IssuedAt.Should().Be(T0.AddDays(1));
        (await s.Rewards.GetDueAsync(T0.AddDays(9), null, 10, None)).Should().BeEmpty();
    }

    [Fact]
    public async Task Of_several_workers_updating_the_same_reward_version_at_once_one_wins()
    {
        await using (var s = OpenSession())
        {
            await s.Rewards.TryAddAsync(Reward("k1", ReferralRewardKind.Advocate, due: T0), None);
        }

        var results = await Race(async (s, i) =>
        {
            var reward = (await s.Rewards.FindByKeyAsync("k1", None))!;
            reward.State = ReferralRewardState.Issued;
            reward.IssuedDescription = "worker " + i;
            return await s.Rewards.TryUpdateAsync(reward, 0, None);
        });

        results.Count(r => r).Should().Be(1);
        await using var read = OpenSession();
        var stored = (await read.Rewards.FindByKeyAsync("k1", None))!;
        stored.Version.Should().Be(1);
        stored.IssuedDescription.Should().Be("worker " + Array.IndexOf(results, true));
    }

    [Fact]
    public async Task Issued_advocate_rewards_are_counted_by_network_by_issue_time()
    {
        await using (var s = OpenSession())
        {
            await s.Rewards.TryAddAsync(Reward("a1", ReferralRewardKind.Advocate, due: T0, state: ReferralRewardState.Issued, issued: T0, network: "line"), None);
            await s.Rewards.TryAddAsync(Reward("a2", ReferralRewardKind.Advocate, due: T0, state: ReferralRewardState.ClawedBack, issued: T0.AddDays(1), network: "line"), None);
            await s.Rewards.TryAddAsync(Reward("a3", ReferralRewardKind.Advocate, due: T0, state: ReferralRewardState.Issued, issued: T0.AddDays(2), network: null), None);
            await s.Rewards.TryAddAsync(Reward("a4", ReferralRewardKind.Advocate, due: T0, state: ReferralRewardState.Pending, network: "x"), None);
            await s.Rewards.TryAddAsync(Reward("a5", ReferralRewardKind.Advocate, due: T0, state: ReferralRewardState.Cancelled, issued: T0, network: "x"), None);
            await s.Rewards.TryAddAsync(Reward("f1", ReferralRewardKind.Friend, due: T0, state: ReferralRewardState.Issued, issued: T0, network: "x"), None);
            await s.Rewards.TryAddAsync(Reward("a6", ReferralRewardKind.Advocate, due: T0, state: ReferralRewardState.Issued, issued: T0, network: "x", advocate: "c2"), None);
        }

        await using var read = OpenSession();
        (await read.Rewards.CountIssuedByNetworkAsync(new ReferralFunnelFilter(), None))
            .Should().BeEquivalentTo(new Dictionary<string, int> { ["line"] = 2, [""] = 1, ["x"] = 1 });
        (await read.Rewards.CountIssuedByNetworkAsync(new ReferralFunnelFilter { AdvocateCustomerId = "c1", Since = T0.AddDays(1), Until = T0.AddDays(2) }, None))
            .Should().BeEquivalentTo(new Dictionary<string, int> { ["line"] = 1 });
    }

    [Fact]
    public async Task Share_events_are_counted_by_kind_network_customer_and_time()
    {
        await using (var s = OpenSession())
        {
            await s.Shares.AddAsync(Share("c1", "line", T0), None);
            await s.Shares.AddAsync(Share("c1", "line", T0.AddHours(1)), None);
            await s.Shares.AddAsync(Share("c1", "weibo", T0.AddHours(2), subject: "review"), None);
            await s.Shares.AddAsync(Share("c2", "x", T0), None);
        }

        await using var read = OpenSession();
        (await read.Shares.CountByNetworkAsync(ShareEventKind.Opened, new ReferralFunnelFilter(), None))
            .Should().BeEquivalentTo(new Dictionary<string, int> { ["line"] = 2, ["weibo"] = 1, ["x"] = 1 });
        (await read.Shares.CountByNetworkAsync(ShareEventKind.Opened, new ReferralFunnelFilter { AdvocateCustomerId = "c1", Since = T0.AddHours(1) }, None))
            .Should().BeEquivalentTo(new Dictionary<string, int> { ["line"] = 1, ["weibo"] = 1 });
        (await read.Shares.CountByNetworkAsync(ShareEventKind.Opened, new ReferralFunnelFilter { Until = T0 }, None)).Should().BeEmpty();
    }

    [Fact]
    public async Task Fraud_decisions_are_read_per_friend_oldest_first()
    {
        await using (var s = OpenSession())
        {
            await s.Fraud.AddAsync(Fraud("f1", "self-referral", T0), None);
            await s.Fraud.AddAsync(Fraud("f1", "ip-cap", T0.AddMinutes(5)), None);
            await s.Fraud.AddAsync(Fraud("f2", "advocate-cap", T0), None);
        }

        await using var read = OpenSession();
        var decisions = await read.Fraud.GetByFriendAsync("f1", None);
        decisions.Select(d => d.Rule).Should().Equal("self-referral", "ip-cap");
        decisions[0].Should().BeEquivalentTo(Fraud("f1", "self-referral", T0), o => o.Excluding(d => d.Id));
        (await read.Fraud.GetByFriendAsync("f9", None)).Should().BeEmpty();
    }

    [Fact]
    public async Task A_review_request_is_inserted_replaced_and_found_by_customer_and_order()
    {
        var request = Request("c1", "o1");
        await using (var s = OpenSession())
        {
            await s.Reviews.UpsertRequestAsync(request, None);
            await s.Reviews.UpsertRequestAsync(Request("c1", "o2"), None);
            await s.Reviews.UpsertRequestAsync(Request("c2", "o1"), None);
        }

        await using (var s = OpenSession())
        {
            (await s.Reviews.FindRequestAsync("c1", "o1", None)).Should().BeEquivalentTo(request);
            (await s.Reviews.FindRequestAsync("c1", "o9", None)).Should().BeNull();

            request.DeliveredAt = T0.AddDays(2);
            request.PromptDueAt = T0.AddDays(9);
            request.ReminderCount = 1;
            request.Products.RemoveAt(0);
            await s.Reviews.UpsertRequestAsync(request, None);
        }

        await using var read = OpenSession();
        var stored = await read.Reviews.FindRequestAsync("c1", "o1", None);
        stored.Should().BeEquivalentTo(request);
        stored!.Products.Should().ContainSingle().Which.Url.Should().BeNull();
        (await read.Reviews.FindRequestAsync("c2", "o1", None))!.Products.Should().HaveCount(2);
    }

    [Fact]
    public async Task Review_requests_for_one_order_upserted_at_once_leave_one_row()
    {
        await Race(async (s, i) =>
        {
            var request = Request("c1", "o1");
            request.ReminderCount = i;
            await s.Reviews.UpsertRequestAsync(request, None);
            return true;
        });

        await using var read = OpenSession();
        (await read.Reviews.FindRequestAsync("c1", "o1", None))!.ReminderCount.Should().BeInRange(0, Racers - 1);
    }

    [Fact]
    public async Task A_second_review_of_a_product_replaces_the_first_and_reviewed_skus_are_per_customer()
    {
        await using (var s = OpenSession())
        {
            await s.Reviews.UpsertReviewAsync(new ProductReview { CustomerId = "c1", Sku = "KIT", OrderId = "o1", Rating = 3, ReviewedAt = T0 }, None);
            await s.Reviews.UpsertReviewAsync(new ProductReview { CustomerId = "c1", Sku = "KIT", OrderId = "o1", Rating = 5, ReviewedAt = T0.AddDays(1) }, None);
            await s.Reviews.UpsertReviewAsync(new ProductReview { CustomerId = "c1", Sku = "REFILL", Rating = 4, ReviewedAt = T0 }, None);
            await s.Reviews.UpsertReviewAsync(new ProductReview { CustomerId = "c2", Sku = "CASE", Rating = 1, ReviewedAt = T0 }, None);
        }

        await using var read = OpenSession();
        (await read.Reviews.GetReviewedSkusAsync("c1", None)).Should().BeEquivalentTo(["KIT", "REFILL"]);
        (await read.Reviews.GetReviewedSkusAsync("c9", None)).Should().BeEmpty();
    }

    [Fact]
    public async Task A_fingerprint_is_recorded_once_and_finds_its_customers()
    {
        await using (var s = OpenSession())
        {
            await s.Fingerprints.AddAsync(Fingerprint("shipping", "h1", "c1"), None);
            await s.Fingerprints.AddAsync(Fingerprint("shipping", "h1", "c1"), None);
            await s.Fingerprints.AddAsync(Fingerprint("shipping", "h1", "c2"), None);
            await s.Fingerprints.AddAsync(Fingerprint("payment", "h1", "c3"), None);
        }

        await Race(async (s, _) =>
        {
            await s.Fingerprints.AddAsync(Fingerprint("payment", "h2", "c4"), None);
            return true;
        });

        await using var read = OpenSession();
        (await read.Fingerprints.FindCustomersAsync("shipping", "h1", None)).Should().BeEquivalentTo(["c1", "c2"]);
        (await read.Fingerprints.FindCustomersAsync("payment", "h1", None)).Should().BeEquivalentTo(["c3"]);
        (await read.Fingerprints.FindCustomersAsync("payment", "h2", None)).Should().BeEquivalentTo(["c4"]);
        (await read.Fingerprints.FindCustomersAsync("payment", "h9", None)).Should().BeEmpty();
    }

    [Fact]
    public async Task Times_come_back_as_the_same_instants_whatever_offset_they_were_written_with()
    {
        var taipei = new DateTimeOffset(2026, 3, 1, 17, 0, 0, TimeSpan.FromHours(8));
        await using (var s = OpenSession())
        {
            await s.Visits.AddAsync(Visit("v1", taipei), None);
        }

        await using var read = OpenSession();
        var visit = (await read.Visits.GetByVisitorAsync("v1", T0, None)).Should().ContainSingle().Subject;
        visit.VisitedAt.Should().Be(taipei);
        visit.VisitedAt.UtcTicks.Should().Be(T0.UtcTicks);
    }

    // Runs Racers writers at once, each in its own session (its own DbContext and connection for the EF stores).
    private async Task<T[]> Race<T>(Func<ReferralStoreSession, int, Task<T>> work)
    {
        var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var racers = Enumerable.Range(0, Racers).Select(i => Task.Run(async () =>
        {
            await using var s = OpenSession();
            await start.Task;
            return await work(s, i);
        })).ToList();
        start.SetResult();
        return await Task.WhenAll(racers);
    }

    private static ReferralCode Code(string code, string customerId, bool vanity = false, DateTimeOffset? at = null) => new()
    {
        Code = code,
        CustomerId = customerId,
        IsVanity = vanity,
        CreatedAt = at ?? T0,
    };

    private static ReferralVisit Visit(string? visitorId, DateTimeOffset at, string code = "ANN123", string advocate = "c1", string? network = "line") => new()
    {
        Id = Guid.NewGuid(),
        Code = code,
        AdvocateCustomerId = advocate,
        VisitorId = visitorId,
        IpHash = "ip-" + visitorId,
        Network = network,
        VisitedAt = at,
    };

    private static ReferralAttribution Attribution(string friend, string advocate = "c1", DateTimeOffset? at = null, string? ip = null, string? network = "line") => new()
    {
        FriendCustomerId = friend,
        AdvocateCustomerId = advocate,
        Code = "ANN123",
        OrderId = "o-" + friend,
        OrderPlacedAt = at ?? T0,
        Touch = "visit",
        Network = network,
        IpHash = ip,
        AttributedAt = at ?? T0,
    };

    private static ReferralReward Reward(
        string key,
        ReferralRewardKind kind,
        DateTimeOffset due,
        string friend = "f1",
        string? customer = null,
        string advocate = "c1",
        ReferralRewardState state = ReferralRewardState.Pending,
        DateTimeOffset? issued = null,
        string? network = "line",
        DateTimeOffset? created = null) => new()
        {
            Id = Guid.NewGuid(),
            IdempotencyKey = key,
            Kind = kind,
            CustomerId = customer ?? (kind == ReferralRewardKind.Friend ? friend : advocate),
            AdvocateCustomerId = advocate,
            FriendCustomerId = friend,
            OrderId = "o-" + friend,
            Network = network,
            Currency = "TWD",
            State = state,
            DueAt = due,
            IssuedAt = issued,
            CreatedAt = created ?? T0,
            UpdatedAt = created ?? T0,
        };

    private static ShareEvent Share(string customerId, string network, DateTimeOffset at, string subject = "referral") => new()
    {
        Id = Guid.NewGuid(),
        CustomerId = customerId,
        Network = network,
        Kind = ShareEventKind.Opened,
        Subject = subject,
        At = at,
    };

    private static ReferralFraudDecision Fraud(string friend, string rule, DateTimeOffset at) => new()
    {
        Id = Guid.NewGuid(),
        FriendCustomerId = friend,
        AdvocateCustomerId = "c1",
        Code = "ANN123",
        OrderId = "o-" + friend,
        Rule = rule,
        Reason = "matched " + rule,
        DecidedAt = at,
    };

    private static ReviewRequest Request(string customerId, string orderId) => new()
    {
        CustomerId = customerId,
        OrderId = orderId,
        Products =
        [
            new ReviewRequestProduct { Sku = "KIT", Name = "入門組 Starter kit", Url = "https://shop.example/kit", Tags = "starter consumable" },
            new ReviewRequestProduct { Sku = "REFILL", Name = "ชุดเติม Refill" },
        ],
        CreatedAt = T0,
    };

    private static CustomerFingerprint Fingerprint(string kind, string value, string customerId) => new()
    {
        Kind = kind,
        Value = value,
        CustomerId = customerId,
        SeenAt = T0,
    };
}
