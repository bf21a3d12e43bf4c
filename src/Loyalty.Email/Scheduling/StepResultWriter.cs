using Loyalty.Email.Diagnostics;
using Loyalty.Stores;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Loyalty.Email.Scheduling;

/// <summary>
/// Writes step results as a group commit: the results that are queued while a write is under way go out together,
/// in one <see cref="IScheduledStepStore.TryUpdateManyAsync"/> call (on PostgreSQL one statement), and each caller
/// still learns the outcome of its own. There is no timer: a lone result is written at once.
/// </summary>
/// <remarks>
/// A failed group write (a dropped connection) is not tried again as a group: each of its results is then tried on
/// its own with a fresh scope while its lease lasts (as each step's own write was before there were group writes),
/// because once the lease has run out another worker may claim the step and, if it was delivered, send it a second
/// time. The groups queued behind a failed one do not wait for its retries.
/// </remarks>
internal sealed class StepResultWriter : IAsyncDisposable, IDisposable
{
    private readonly IServiceScopeFactory _scopes;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly EmailTelemetry _telemetry;
    private readonly Lock _gate = new();
    private List<Pending> _queue = [];
    private bool _writing;

    // The scope (and DbContext) of the group writes, kept for a while: creating and initialising a DbContext per
    // group was a tenth of the dispatcher's CPU. Used by one write loop at a time (_writing); replaced after a failed
    // write, after GroupsPerScope groups and after ScopeLifetime; let go at the end of a sweep (ReleaseWhenIdleAsync).
    private AsyncServiceScope? _scope;
    private bool _releaseWhenIdle;
    private int _scopeGroups;
    private DateTimeOffset _scopeCreated;
    private bool _disposed;

    private const int GroupsPerScope = 1_000;
    private static readonly TimeSpan ScopeLifetime = TimeSpan.FromMinutes(1);

    public StepResultWriter(IServiceScopeFactory scopes, TimeProvider time, ILogger logger, EmailTelemetry telemetry)
    {
        _scopes = scopes;
        _time = time;
        _logger = logger;
        _telemetry = telemetry;
    }

    /// <summary>
    /// Queues the result of <paramref name="step"/>, guarded by the version it was claimed at. The task ends with
    /// true when written, false when another worker had moved the step on, null when every attempt failed.
    /// </summary>
    public Task<bool?> WriteAsync(ScheduledStep step, int claimedVersion, DateTimeOffset leaseEnd)
    {
        // Continuations run on the writer's thread when it sets the result (no hop through the thread pool per step):
        // they are short, up to the step's next await.
        var pending = new Pending(new StepUpdate(step, claimedVersion), leaseEnd, new TaskCompletionSource<bool?>());
        bool start;
        lock (_gate)
        {
            _queue.Add(pending);
            start = !_writing;
            _writing = true;
        }

        if (start)
        {
            // Runs on the caller's thread up to the store's first await; the groups after it on the thread that
            // completes each write.
            _ = WriteQueuedAsync();
        }

        return pending.Written.Task;
    }

    private async Task WriteQueuedAsync()
    {
        while (true)
        {
            List<Pending>? group;
            bool disposed;
            AsyncServiceScope? released;
            lock (_gate)
            {
                disposed = _disposed;
                if (_queue.Count == 0 && !disposed)
                {
                    // Idle: the kept scope goes too when the dispatcher asked for it (ReleaseWhenIdleAsync).
                    _writing = false;
                    released = _releaseWhenIdle ? TakeScopeUnlessWriting() : null;
                    _releaseWhenIdle = false;
                    group = null;
                }
                else
                {
                    released = null;
                    group = _queue;
                    _queue = [];
                }
            }

            if (group is null)
            {
                if (released is { } scope)
                {
                    await scope.DisposeAsync().ConfigureAwait(false);
                }

                return;
            }

            if (disposed)
            {
                // Disposed meanwhile: no scope is kept from here on (a write loop is the only user of the kept scope).
                if (group.Count > 0)
                {
                    await WriteGroupAsync(group).ConfigureAwait(false);
                }

                await DisposeScopeAsync().ConfigureAwait(false);
                lock (_gate)
                {
                    if (_queue.Count == 0)
                    {
                        _writing = false;
                        return;
                    }
                }

                continue;
            }

            await WriteGroupAsync(group).ConfigureAwait(false);
        }
    }

    private async Task WriteGroupAsync(List<Pending> group)
    {
        Exception failure;
        try
        {
            _telemetry.ResultsWritten(group.Count);
            var scope = await GroupScopeAsync().ConfigureAwait(false);
            var updates = new StepUpdate[group.Count];
            for (var i = 0; i < group.Count; i++)
            {
                updates[i] = group[i].Update;
            }

            var results = await scope.ServiceProvider.GetRequiredService<IScheduledStepStore>().TryUpdateManyAsync(updates, CancellationToken.None).ConfigureAwait(false);
            if (results.Count != group.Count)
            {
                throw new InvalidOperationException($"The step store answered {results.Count} results for {group.Count} steps.");
            }

            for (var i = 0; i < group.Count; i++)
            {
                group[i].Written.TrySetResult(results[i]);
            }

            return;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            failure = ex;
            await DisposeScopeAsync().ConfigureAwait(false); // its DbContext may hold a broken connection
        }

        // Not awaited: the groups queued behind this one are written meanwhile (or fail and are retried the same way).
        foreach (var pending in group)
        {
            _ = RetryAloneAsync(pending, failure);
        }
    }

    private async ValueTask<AsyncServiceScope> GroupScopeAsync()
    {
        var now = _time.GetUtcNow();
        if (_scope is not null && (_scopeGroups >= GroupsPerScope || now - _scopeCreated >= ScopeLifetime))
        {
            await DisposeScopeAsync().ConfigureAwait(false);
        }

        if (_scope is not { } scope)
        {
            scope = _scopes.CreateAsyncScope();
            _scope = scope;
            _scopeCreated = now;
            _scopeGroups = 0;
        }

        _scopeGroups++;
        return scope;
    }

    private async ValueTask DisposeScopeAsync()
    {
        if (_scope is { } scope)
        {
            _scope = null;
            await scope.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Lets the kept scope go (and the database connection its store may hold open) now if no write is under way,
    /// otherwise as soon as the writes run out; the next group creates a new one. The dispatcher calls it at the end
    /// of every sweep, so an idle process holds no connection for longer than the sweep interval.
    /// </summary>
    public async ValueTask ReleaseWhenIdleAsync()
    {
        AsyncServiceScope? scope;
        lock (_gate)
        {
            _releaseWhenIdle = _writing;
            scope = TakeScopeUnlessWriting();
        }

        if (scope is { } idle)
        {
            await idle.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Disposes the kept scope now, or when the write under way ends. Writes queued later still go out, each group
    /// in a scope of its own.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        if (MarkDisposed() is { } scope)
        {
            await scope.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <inheritdoc cref="DisposeAsync"/>
    public void Dispose() => MarkDisposed()?.Dispose();

    private AsyncServiceScope? MarkDisposed()
    {
        lock (_gate)
        {
            _disposed = true;
            return TakeScopeUnlessWriting();
        }
    }

    // Under _gate. The kept scope, for the caller to dispose, when no write loop runs; otherwise null: the loop is its
    // only user and lets it go when it ends (disposed, or asked to release when idle).
    private AsyncServiceScope? TakeScopeUnlessWriting()
    {
        if (_writing)
        {
            return null;
        }

        var scope = _scope;
        _scope = null;
        return scope;
    }

    private async Task RetryAloneAsync(Pending pending, Exception failure)
    {
        var step = pending.Update.Step;
        var delay = TimeSpan.FromMilliseconds(50);
        for (var attempt = 1; ; attempt++)
        {
            if (_time.GetUtcNow() + delay >= pending.LeaseEnd)
            {
                EmailLog.StepResultNotWritten(_logger, failure, step.Id, step.State.ToString());
                pending.Written.TrySetResult(null);
                return;
            }

            EmailLog.StepResultWriteFailed(_logger, failure, step.Id, attempt);
            await Task.Delay(delay, _time, CancellationToken.None).ConfigureAwait(false);
            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromSeconds(1).Ticks));
            try
            {
                // A fresh scope per attempt: the DbContext of the failed one may hold a broken connection.
                await using var scope = _scopes.CreateAsyncScope();
                var written = await scope.ServiceProvider.GetRequiredService<IScheduledStepStore>()
                    .TryUpdateAsync(step, pending.Update.ExpectedVersion, CancellationToken.None).ConfigureAwait(false);
                pending.Written.TrySetResult(written);
                return;
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                failure = ex;
            }
        }
    }

    private sealed record Pending(StepUpdate Update, DateTimeOffset LeaseEnd, TaskCompletionSource<bool?> Written);
}
