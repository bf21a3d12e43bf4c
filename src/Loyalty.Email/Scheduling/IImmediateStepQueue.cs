namespace Loyalty.Email.Scheduling;

/// <summary>
/// Hands a step that is due at once to a worker right after intake committed it, so immediate steps (a
/// service-recovery apology) never wait for the sweep. Losing a hand-off loses nothing: the sweep still finds the row.
/// </summary>
public interface IImmediateStepQueue
{
    /// <summary>Queues the step for dispatch.</summary>
    void Enqueue(Guid stepId);
}
