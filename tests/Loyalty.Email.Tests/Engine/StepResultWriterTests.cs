using System.Diagnostics.Metrics;
using Loyalty.Email.Diagnostics;
using Loyalty.Email.Flows;
using Loyalty.Email.Scheduling;
using Loyalty.Email.Stores.InMemory;
using Loyalty.Stores;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Loyalty.Email.Tests.Engine;

/// <summary>The dispatch's group commit of step results: what goes out together, and what happens when a write fails.</summary>
public sealed class StepResultWriterTests : IAsyncDisposable
{
    private static readonly DateTimeOffset Now = new(2026, 3, 2, 10, 0, 0, TimeSpan.Zero);
    private readonly InMemoryLoyaltyStore _store = new();
    private readonly RecordingStepStore _steps;
    private readonly TimerSignallingTime _time = new(Now);
    private readonly ServiceProvider _services;
    private readonly StepResultWriter _writer;
    private int _scopesUsed;

    public StepResultWriterTests()
    {
        _steps = new RecordingStepStore(_store);
        // Scoped, as the EF store is: each resolution is one scope the writer used.
        _services = new ServiceCollection().AddMetrics()
            .AddScoped<IScheduledStepStore>(_ =>
            {
                Interlocked.Increment(ref _scopesUsed);
                return _steps;
            })
            .BuildServiceProvider();
        _writer = new StepResultWriter(
            _services.GetRequiredService<IServiceScopeFactory>(), _time, NullLogger.Instance, new EmailTelemetry(_services.GetRequiredService<IMeterFactory>()));
    }

    public ValueTask DisposeAsync() => _services.DisposeAsync();

    private async Task ShouldBeStoredAsSentAsync(IEnumerable<ScheduledStep> steps)
    {
        foreach (var step in steps)
        {
            (await _store.FindAsync(step.Id, CancellationToken.None))!.State.Should().Be(StepState.Sent);
        }
    }

    private async Task<ScheduledStep[]> ClaimAsync(int count)
    {
        var changes = new IntakeChangeSet();
        changes.Events.Add(new ProcessedEvent { EventId = "e", EventType = "x", CustomerId = "c" });
        changes.Steps.AddRange(Enumerable.Range(1, count).Select(i => new ScheduledStep
        {
            Id = Guid.NewGuid(), DedupeKey = $"k{i}", FlowId = "f", CustomerId = $"c{i}", TriggerEventId = "e", EventJson = "{}", Category = EmailCategories.Transactional, DueAt = Now, AvailableAt = Now,
        }));
        (await _store.CommitAsync(changes, CancellationToken.None)).Should().Be(IntakeCommitResult.Committed);
        var claimed = await _store.ClaimDueAsync(Now, count, "me", TimeSpan.FromMinutes(5), CancellationToken.None);
        foreach (var step in claimed)
        {
            step.State = StepState.Sent;
            step.LeaseOwner = null;
        }

        return [.. claimed.OrderBy(s => s.DedupeKey, StringComparer.Ordinal)];
    }

    [Fact]
    public async Task Results_queued_while_a_write_is_under_way_go_out_together_in_the_next_one()
    {
        var steps = await ClaimAsync(4);
        var lease = Now.AddMinutes(5);
        _steps.HoldWrites();

        var first = _writer.WriteAsync(steps[0], steps[0].Version, lease);
        await _steps.WriteStarted.WaitAsync(TimeSpan.FromSeconds(10));
        var rest = steps.Skip(1).Select(s => _writer.WriteAsync(s, s.Version, lease)).ToArray();
        first.IsCompleted.Should().BeFalse("the first write is held");
        _steps.ReleaseWrites();

        (await first).Should().BeTrue();
        (await Task.WhenAll(rest)).Should().Equal(true, true, true);
        _steps.Calls.Should().Equal(1, 3);
        _scopesUsed.Should().Be(1, "the group writes keep one scope (one DbContext) between groups");
        await ShouldBeStoredAsSentAsync(steps);
    }

    [Fact]
    public async Task After_the_writer_is_disposed_results_are_still_written_each_group_in_a_scope_of_its_own()
    {
        var steps = await ClaimAsync(3);
        (await _writer.WriteAsync(steps[0], steps[0].Version, Now.AddMinutes(5))).Should().BeTrue();
        await _writer.DisposeAsync();

        (await _writer.WriteAsync(steps[1], steps[1].Version, Now.AddMinutes(5))).Should().BeTrue();
        (await _writer.WriteAsync(steps[2], steps[2].Version, Now.AddMinutes(5))).Should().BeTrue();

        _scopesUsed.Should().Be(3, "no scope is kept after disposal");
        await ShouldBeStoredAsSentAsync(steps);
    }

    [Fact]
    public async Task Released_when_idle_the_kept_scope_goes_at_once_or_when_the_write_under_way_ends()
    {
        var steps = await ClaimAsync(4);
        var lease = Now.AddMinutes(5);
        (await _writer.WriteAsync(steps[0], steps[0].Version, lease)).Should().BeTrue();
        _scopesUsed.Should().Be(1);

        // Idle: let go at once, so the next group needs a new scope.
        await _writer.ReleaseWhenIdleAsync();
        _steps.ScopeEnded.CurrentCount.Should().Be(1);
        await _steps.ScopeEnded.WaitAsync();
        (await _writer.WriteAsync(steps[1], steps[1].Version, lease)).Should().BeTrue();
        _scopesUsed.Should().Be(2);

        // A write under way: that write keeps its scope, which goes once the writes run out.
        _steps.HoldWrites();
        var held = _writer.WriteAsync(steps[2], steps[2].Version, lease);
        await _steps.WriteStarted.WaitAsync(TimeSpan.FromSeconds(10));
        await _writer.ReleaseWhenIdleAsync();
        held.IsCompleted.Should().BeFalse();
        _steps.ReleaseWrites();
        (await held).Should().BeTrue();
        _scopesUsed.Should().Be(2, "the write under way used the kept scope");
        (await _steps.ScopeEnded.WaitAsync(TimeSpan.FromSeconds(10))).Should().BeTrue("the kept scope goes when the writes run out");

        (await _writer.WriteAsync(steps[3], steps[3].Version, lease)).Should().BeTrue();
        _scopesUsed.Should().Be(3, "the kept scope went when the held write ended");
        await ShouldBeStoredAsSentAsync(steps);
    }

    [Fact]
    public async Task A_step_another_worker_moved_on_is_answered_false_and_the_others_of_its_group_are_written()
    {
        var steps = await ClaimAsync(2);
        var movedOn = (await _store.FindAsync(steps[1].Id, CancellationToken.None))!;
        movedOn.State = StepState.Skipped;
        (await _store.TryUpdateAsync(movedOn, movedOn.Version, CancellationToken.None)).Should().BeTrue();

        var results = await Task.WhenAll(steps.Select(s => _writer.WriteAsync(s, s.Version, Now.AddMinutes(5))));

        results.Should().Equal(true, false);
        (await _store.FindAsync(steps[1].Id, CancellationToken.None))!.State.Should().Be(StepState.Skipped);
    }

    [Fact]
    public async Task A_failed_group_write_is_tried_again_step_by_step_while_each_lease_lasts()
    {
        var steps = await ClaimAsync(2);
        _steps.FailGroupWrites = true;
        _steps.FailSingleWrites = 1;

        // The first step's lease has 10 s left; the second's runs out before the first retry could start.
        var longLease = _writer.WriteAsync(steps[0], steps[0].Version, Now.AddSeconds(10));
        var shortLease = _writer.WriteAsync(steps[1], steps[1].Version, Now.AddMilliseconds(20));

        (await shortLease.WaitAsync(TimeSpan.FromSeconds(10))).Should().BeNull("its lease ran out: another worker may claim it, so it is left for that one");
        await _time.TimerCreated.WaitAsync(TimeSpan.FromSeconds(10));
        longLease.IsCompleted.Should().BeFalse("its retry waits 50 ms");
        _time.Advance(TimeSpan.FromMilliseconds(50)); // the first single retry fails
        await _steps.SingleWriteFailed.WaitAsync(TimeSpan.FromSeconds(10));
        await _time.TimerCreated.WaitAsync(TimeSpan.FromSeconds(10));
        longLease.IsCompleted.Should().BeFalse("the next retry waits 100 ms");
        _time.Advance(TimeSpan.FromMilliseconds(100));

        (await longLease.WaitAsync(TimeSpan.FromSeconds(10))).Should().BeTrue();
        (await _store.FindAsync(steps[0].Id, CancellationToken.None))!.State.Should().Be(StepState.Sent);
        (await _store.FindAsync(steps[1].Id, CancellationToken.None))!.State.Should().Be(StepState.Scheduled);
    }

    /// <summary>A fake clock that says when a timer (a retry's delay) was started, so the test advances after it.</summary>
    private sealed class TimerSignallingTime(DateTimeOffset start) : FakeTimeProvider(start)
    {
        private readonly SemaphoreSlim _created = new(0);

        public Task TimerCreated => _created.WaitAsync();

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            var timer = base.CreateTimer(callback, state, dueTime, period);
            _created.Release();
            return timer;
        }
    }

    /// <summary>
    /// The in-memory store, with group writes recorded, held or failed on demand. Every scope resolves this one
    /// instance, so its disposal counts the scopes that ended.
    /// </summary>
    private sealed class RecordingStepStore(InMemoryLoyaltyStore inner) : IScheduledStepStore, IDisposable
    {
        private readonly TaskCompletionSource _started = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _singleFailed = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private TaskCompletionSource? _hold;
        private int _singleFailures;

        public List<int> Calls { get; } = [];

        /// <summary>Released once for every scope that ended.</summary>
        public SemaphoreSlim ScopeEnded { get; } = new(0);

        public void Dispose() => ScopeEnded.Release();

        public bool FailGroupWrites { get; set; }

        public int FailSingleWrites
        {
            get => _singleFailures;
            set => _singleFailures = value;
        }

        public Task WriteStarted => _started.Task;

        public Task SingleWriteFailed => _singleFailed.Task;

        public void HoldWrites() => _hold = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        public void ReleaseWrites() => _hold!.TrySetResult();

        public async Task<IReadOnlyList<bool>> TryUpdateManyAsync(IReadOnlyList<StepUpdate> updates, CancellationToken cancellationToken)
        {
            lock (Calls)
            {
                Calls.Add(updates.Count);
            }

            _started.TrySetResult();
            if (_hold is { } hold)
            {
                await hold.Task;
            }

            if (FailGroupWrites)
            {
                throw new InvalidOperationException("connection dropped");
            }

            return await ((IScheduledStepStore)inner).TryUpdateManyAsync(updates, cancellationToken);
        }

        public Task<bool> TryUpdateAsync(ScheduledStep step, int expectedVersion, CancellationToken cancellationToken)
        {
            if (Interlocked.Decrement(ref _singleFailures) >= 0)
            {
                _singleFailed.TrySetResult();
                throw new InvalidOperationException("connection dropped again");
            }

            return inner.TryUpdateAsync(step, expectedVersion, cancellationToken);
        }

        public Task<IReadOnlyList<ScheduledStep>> ClaimDueAsync(DateTimeOffset now, int maxCount, string owner, TimeSpan lease, CancellationToken cancellationToken) =>
            inner.ClaimDueAsync(now, maxCount, owner, lease, cancellationToken);

        public Task<ScheduledStep?> ClaimByIdAsync(Guid id, DateTimeOffset now, string owner, TimeSpan lease, CancellationToken cancellationToken) =>
            inner.ClaimByIdAsync(id, now, owner, lease, cancellationToken);

        public Task<ScheduledStep?> FindAsync(Guid id, CancellationToken cancellationToken) => inner.FindAsync(id, cancellationToken);

        public Task<IReadOnlyList<ScheduledStep>> QueryAsync(StepQuery query, CancellationToken cancellationToken) => inner.QueryAsync(query, cancellationToken);
    }
}
