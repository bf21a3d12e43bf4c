using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Loyalty.Email.Diagnostics;

/// <summary>
/// The <c>Loyalty.Email</c> Meter (from <see cref="IMeterFactory"/>) and ActivitySource: events received, steps
/// scheduled, sends by outcome, send latency, the size of the dispatch's result writes and the depth of due work.
/// </summary>
public sealed class EmailTelemetry : IDisposable
{
    /// <summary>The name of the Meter and the ActivitySource.</summary>
    public const string Name = "Loyalty.Email";

    private readonly Meter _meter;
    private readonly Counter<long> _events;
    private readonly Counter<long> _refused;
    private readonly Counter<long> _scheduled;
    private readonly Counter<long> _steps;
    private readonly Counter<long> _deliveries;
    private readonly Histogram<double> _sendLatency;
    private readonly Histogram<int> _resultsPerWrite;
    private long _lastClaimed;

    /// <summary>Creates the instruments.</summary>
    public EmailTelemetry(IMeterFactory meterFactory)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        _meter = meterFactory.Create(Name);
        _events = _meter.CreateCounter<long>("loyalty.email.events", description: "Events received, by type and whether they were duplicates.");
        _refused = _meter.CreateCounter<long>("loyalty.email.events.refused", description: "Events refused by validation.");
        _scheduled = _meter.CreateCounter<long>("loyalty.email.steps.scheduled", description: "Steps scheduled by intake.");
        _steps = _meter.CreateCounter<long>("loyalty.email.steps.completed", description: "Steps by outcome (sent, held, skipped, failed).");
        _deliveries = _meter.CreateCounter<long>("loyalty.email.deliveries", unit: "{message}", description: "Messages handed to the transport, by outcome (delivered: accepted by the SMTP server or written by the file transport; permanent_failure; transient_failure).");
        _sendLatency = _meter.CreateHistogram<double>("loyalty.email.send.duration", unit: "ms", description: "Time to hand one message to the transport, including the wait for a free pooled connection.");
        _resultsPerWrite = _meter.CreateHistogram<int>(
            "loyalty.email.steps.results_per_write", unit: "{result}", description: "Step results written together in one store call (the size of the dispatch's group commit).");
        _meter.CreateObservableGauge("loyalty.email.dispatch.last_batch", () => Interlocked.Read(ref _lastClaimed), description: "Steps claimed by the last dispatch batch (a proxy for queue depth).");
    }

    /// <summary>Traces publish → schedule → send.</summary>
    public ActivitySource ActivitySource { get; } = new(Name);

    internal void EventReceived(string type, bool duplicate) => _events.Add(1, new("type", type), new("duplicate", duplicate));

    internal void EventRefused(string type) => _refused.Add(1, new KeyValuePair<string, object?>("type", type));

    internal void StepsScheduled(int count) => _scheduled.Add(count);

    internal void StepCompleted(string outcome, string flowId) => _steps.Add(1, new("outcome", outcome), new("flow", flowId));

    internal void Delivered(Delivery.DeliveryOutcome outcome, double milliseconds)
    {
        _sendLatency.Record(milliseconds);
        _deliveries.Add(1, new KeyValuePair<string, object?>("outcome", outcome switch
        {
            Delivery.DeliveryOutcome.Delivered => "delivered",
            Delivery.DeliveryOutcome.PermanentFailure => "permanent_failure",
            _ => "transient_failure",
        }));
    }

    internal void ResultsWritten(int count) => _resultsPerWrite.Record(count);

    internal void Claimed(int count) => Interlocked.Exchange(ref _lastClaimed, count);

    /// <inheritdoc />
    public void Dispose()
    {
        ActivitySource.Dispose();
        _meter.Dispose();
    }
}
