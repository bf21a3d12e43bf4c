using Loyalty.EntityFrameworkCore.Tests.Infrastructure;
using Loyalty.Stores;
using static Loyalty.EntityFrameworkCore.Tests.Infrastructure.Records;

namespace Loyalty.EntityFrameworkCore.Tests.Contract;

/// <summary>The group write of step results (<see cref="IScheduledStepStore.TryUpdateManyAsync"/>), which the dispatch uses.</summary>
public abstract partial class StoreContractTests
{
    private async Task<List<ScheduledStep>> ClaimStepsAsync(StoreSession s, int count)
    {
        var steps = Enumerable.Range(1, count).Select(i => Step($"k{i}", T0, customerId: $"c{i}")).ToArray();
        await s.Intake.CommitAsync(Schedule("e1", steps), None);
        var claimed = await s.Steps.ClaimDueAsync(T0, count, "worker-a", Lease, None);
        claimed.Should().HaveCount(count);
        return [.. claimed.OrderBy(c => c.DedupeKey, StringComparer.Ordinal)];
    }

    [Fact]
    public async Task A_group_write_writes_each_step_guarded_by_its_own_version_and_answers_for_each()
    {
        await using var s = OpenSession();
        var claimed = await ClaimStepsAsync(s, 4);

        // Another worker moved the second step on (its lease ran out and it wrote a result) before this group write.
        var movedOn = (await s.Steps.FindAsync(claimed[1].Id, None))!;
        movedOn.State = StepState.Skipped;
        movedOn.Reason = "taken by worker-b";
        (await s.Steps.TryUpdateAsync(movedOn, movedOn.Version, None)).Should().BeTrue();

        var done = T0.AddSeconds(3);
        claimed[0].State = StepState.Sent;
        claimed[0].MessageId = "<k1@shop.example>";
        claimed[1].State = StepState.Sent;
        claimed[1].MessageId = "<k2@shop.example>";
        claimed[2].State = StepState.Held;
        claimed[2].Reason = "quiet-hours";
        claimed[2].AvailableAt = T0.AddHours(8);
        claimed[3].State = StepState.Failed;
        claimed[3].Reason = "rejected: 550";
        foreach (var step in claimed)
        {
            step.LeaseOwner = null;
            step.UpdatedAt = done;
            step.CompletedAt = step.IsTerminal ? done : null;
        }

        var claimedVersion = claimed[0].Version;
        var results = await s.Steps.TryUpdateManyAsync([.. claimed.Select(c => new StepUpdate(c, claimedVersion))], None);

        results.Should().Equal(true, false, true, true);
        claimed.Select(c => c.Version).Should().Equal(claimedVersion + 1, claimedVersion, claimedVersion + 1, claimedVersion + 1);
        foreach (var i in new[] { 0, 2, 3 })
        {
            (await s.Steps.FindAsync(claimed[i].Id, None)).Should().BeEquivalentTo(claimed[i]);
        }

        (await s.Steps.FindAsync(claimed[1].Id, None)).Should().BeEquivalentTo(new { State = StepState.Skipped, Reason = "taken by worker-b", MessageId = (string?)null });
    }

    [Fact]
    public async Task Group_writes_one_after_another_through_one_store_are_each_guarded_by_their_own_versions()
    {
        // The dispatcher writes its groups through one long-lived store: on PostgreSQL the same prepared statements
        // run again on the connection the store kept open, with new values each time.
        await using var s = OpenSession();
        var claimed = await ClaimStepsAsync(s, 3);
        var versions = claimed.Select(c => c.Version).ToArray();
        foreach (var step in claimed)
        {
            step.State = StepState.Held;
            step.Reason = "quiet-hours";
            step.LeaseOwner = null;
        }

        (await s.Steps.TryUpdateManyAsync([new StepUpdate(claimed[0], versions[0])], None)).Should().Equal(true);
        (await s.Steps.TryUpdateManyAsync([new StepUpdate(claimed[1], versions[1]), new StepUpdate(claimed[2], versions[2])], None)).Should().Equal(true, true);

        // The first step again at the version it was claimed at: already moved on, so nothing is written.
        claimed[0].State = StepState.Sent;
        (await s.Steps.TryUpdateManyAsync([new StepUpdate(claimed[0], versions[0])], None)).Should().Equal(false);
        claimed[1].State = StepState.Sent;
        claimed[1].MessageId = "<k2@shop.example>";
        (await s.Steps.TryUpdateManyAsync([new StepUpdate(claimed[1], versions[1] + 1)], None)).Should().Equal(true);

        (await s.Steps.FindAsync(claimed[0].Id, None)).Should().BeEquivalentTo(new { State = StepState.Held, Version = versions[0] + 1 });
        (await s.Steps.FindAsync(claimed[1].Id, None)).Should().BeEquivalentTo(new { State = StepState.Sent, MessageId = "<k2@shop.example>", Version = versions[1] + 2 });
        (await s.Steps.FindAsync(claimed[2].Id, None)).Should().BeEquivalentTo(new { State = StepState.Held, Version = versions[2] + 1 });
    }

    [Fact]
    public async Task A_group_write_larger_than_one_statement_writes_every_step()
    {
        await using var s = OpenSession();
        // More than the 500 rows one PostgreSQL statement carries.
        var claimed = await ClaimStepsAsync(s, 503);
        foreach (var step in claimed)
        {
            step.State = StepState.Sent;
            step.MessageId = $"<{step.DedupeKey}@shop.example>";
            step.LeaseOwner = null;
            step.CompletedAt = T0.AddSeconds(1);
        }

        var results = await s.Steps.TryUpdateManyAsync([.. claimed.Select(c => new StepUpdate(c, c.Version))], None);

        results.Should().HaveCount(503).And.OnlyContain(written => written);
        (await s.Steps.QueryAsync(new StepQuery { State = StepState.Sent, Take = 1_000 }, None)).Should().HaveCount(503);
        (await s.Steps.FindAsync(claimed[502].Id, None))!.MessageId.Should().Be($"<{claimed[502].DedupeKey}@shop.example>");
    }

    [Fact]
    public async Task A_group_write_with_a_step_twice_or_without_a_step_is_refused_before_anything_is_written()
    {
        await using var s = OpenSession();
        var claimed = await ClaimStepsAsync(s, 2);
        claimed[0].State = StepState.Sent;
        claimed[1].State = StepState.Sent;

        var twice = () => s.Steps.TryUpdateManyAsync([new StepUpdate(claimed[0], 1), new StepUpdate(claimed[1], 1), new StepUpdate(claimed[0], 2)], None);
        (await twice.Should().ThrowAsync<ArgumentException>()).WithMessage($"*Write 2 of the batch is of step {claimed[0].Id}*").And.ParamName.Should().Be("updates");
        var missing = () => s.Steps.TryUpdateManyAsync([new StepUpdate(claimed[0], 1), default], None);
        (await missing.Should().ThrowAsync<ArgumentException>()).WithMessage("*Write 1 of the batch has no step*");
        var none = () => s.Steps.TryUpdateManyAsync(null!, None);
        await none.Should().ThrowAsync<ArgumentNullException>();

        foreach (var step in claimed)
        {
            (await s.Steps.FindAsync(step.Id, None)).Should().BeEquivalentTo(new { State = StepState.Scheduled, Version = 1 });
        }

        (await s.Steps.TryUpdateManyAsync([], None)).Should().BeEmpty();
    }
}
