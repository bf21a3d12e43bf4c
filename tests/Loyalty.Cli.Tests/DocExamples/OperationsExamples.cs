// The C# examples of docs/operations.md (see GettingStartedExamples.cs for how they are checked).
using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Loyalty.Cli.Tests.DocExamples;

public static class OperationsExamples
{
    public static MeterListener ListenToMetrics(TextWriter log)
    {
        // snippet: meter-listener
        var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name is "Loyalty.Email" or "Loyalty.Referrals")
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
            log.WriteLine($"{instrument.Name} +{value} {string.Join(", ", tags.ToArray().Select(t => $"{t.Key}={t.Value}"))}"));
        listener.SetMeasurementEventCallback<double>((instrument, value, _, _) => log.WriteLine($"{instrument.Name} {value:0.0} {instrument.Unit}"));
        listener.Start();
        // end snippet
        return listener;
    }

    public static ActivityListener ListenToTraces(TextWriter log)
    {
        // snippet: activity-listener
        var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name is "Loyalty.Email" or "Loyalty.Referrals",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity => log.WriteLine($"{activity.OperationName} {activity.Duration.TotalMilliseconds:0} ms {activity.Status}"),
        };
        ActivitySource.AddActivityListener(listener);
        // end snippet
        return listener;
    }
}
