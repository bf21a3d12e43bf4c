namespace Loyalty.Email.Delivery;

/// <summary>
/// The pool's connection slots: a counting gate whose release hands the slot straight to the longest waiter and runs
/// that waiter's continuation on the releasing thread.
/// </summary>
/// <remarks>
/// A <see cref="SemaphoreSlim"/> resumes an async waiter through the thread pool. With more lanes than connections
/// (the dispatcher's default), every send that finishes frees a slot a waiting lane has already rendered a message
/// for, so each hand-off queued one more work item behind the renders of the other lanes while the connection stood
/// idle. Here the sender that returns a connection starts the next lane's send itself; that lane's code runs only up
/// to its first wait on the server (writing the next MAIL FROM), so the releasing sender is held for microseconds.
/// </remarks>
internal sealed class ConnectionSlots
{
    private readonly Lock _gate = new();
    private readonly LinkedList<TaskCompletionSource> _waiters = new();
    private int _free;

    public ConnectionSlots(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        _free = count;
    }

    /// <summary>Free slots right now (for tests).</summary>
    public int Free
    {
        get
        {
            lock (_gate)
            {
                return _free;
            }
        }
    }

    /// <summary>Takes a slot, waiting first-come first-served when none is free.</summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled before a slot was taken.</exception>
    public Task WaitAsync(CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return Task.FromCanceled(cancellationToken);
        }

        LinkedListNode<TaskCompletionSource> node;
        lock (_gate)
        {
            if (_free > 0)
            {
                _free--;
                return Task.CompletedTask;
            }

            // No RunContinuationsAsynchronously: completing this from Release runs the waiter inline (see remarks).
            node = _waiters.AddLast(new TaskCompletionSource());
        }

        return cancellationToken.CanBeCanceled ? WaitCancellableAsync(node, cancellationToken) : node.Value.Task;
    }

    /// <summary>Gives a slot back: to the longest waiter if there is one (whose continuation runs here), else to the free count.</summary>
    public void Release()
    {
        TaskCompletionSource? next = null;
        lock (_gate)
        {
            if (_waiters.First is { } first)
            {
                _waiters.Remove(first);
                next = first.Value;
            }
            else
            {
                _free++;
            }
        }

        // Outside the lock: the waiter's continuation runs inside this call.
        next?.SetResult();
    }

    private async Task WaitCancellableAsync(LinkedListNode<TaskCompletionSource> node, CancellationToken cancellationToken)
    {
        // Whoever removes the node under the lock owns its outcome: Release hands it the slot, or the cancellation
        // drops it, never both — so a cancelled waiter never takes a slot and a slot is never lost.
        await using (cancellationToken.UnsafeRegister(
            static (state, token) =>
            {
                var (slots, waiter) = ((ConnectionSlots, LinkedListNode<TaskCompletionSource>))state!;
                if (slots.TryRemove(waiter))
                {
                    waiter.Value.SetCanceled(token);
                }
            },
            (this, node)).ConfigureAwait(false))
        {
            await node.Value.Task.ConfigureAwait(false);
        }
    }

    private bool TryRemove(LinkedListNode<TaskCompletionSource> node)
    {
        lock (_gate)
        {
            if (node.List is null)
            {
                return false;
            }

            _waiters.Remove(node);
            return true;
        }
    }
}
