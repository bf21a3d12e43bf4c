using Loyalty.Stores;

namespace Loyalty.IntegrationTests.EmailEngine;

/// <summary>
/// A step store that passes every call to the real one; tests override the result writes to observe or delay them.
/// </summary>
public abstract class StepStoreDecorator(IScheduledStepStore inner) : IScheduledStepStore
{
    protected IScheduledStepStore Inner { get; } = inner;

    public Task<IReadOnlyList<ScheduledStep>> ClaimDueAsync(DateTimeOffset now, int maxCount, string owner, TimeSpan lease, CancellationToken cancellationToken) =>
        Inner.ClaimDueAsync(now, maxCount, owner, lease, cancellationToken);

    public Task<ScheduledStep?> ClaimByIdAsync(Guid id, DateTimeOffset now, string owner, TimeSpan lease, CancellationToken cancellationToken) =>
        Inner.ClaimByIdAsync(id, now, owner, lease, cancellationToken);

    public virtual Task<bool> TryUpdateAsync(ScheduledStep step, int expectedVersion, CancellationToken cancellationToken) =>
        Inner.TryUpdateAsync(step, expectedVersion, cancellationToken);

    public virtual Task<IReadOnlyList<bool>> TryUpdateManyAsync(IReadOnlyList<StepUpdate> updates, CancellationToken cancellationToken) =>
        Inner.TryUpdateManyAsync(updates, cancellationToken);

    public Task<ScheduledStep?> FindAsync(Guid id, CancellationToken cancellationToken) => Inner.FindAsync(id, cancellationToken);

    public Task<IReadOnlyList<ScheduledStep>> QueryAsync(StepQuery query, CancellationToken cancellationToken) => Inner.QueryAsync(query, cancellationToken);
}
