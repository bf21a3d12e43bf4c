using Loyalty.Email.Delivery;
using MimeKit;

namespace Loyalty.Throughput;

/// <summary>What the harness learns from the transport: how many messages were accepted, and when each recipient's was.</summary>
public sealed class DeliveryProbe
{
    private long _delivered;
    private long _failed;

    public long Delivered => Interlocked.Read(ref _delivered);

    public long Failed => Interlocked.Read(ref _failed);

    /// <summary>Called with the recipient and the Stopwatch timestamp at which the server accepted the message.</summary>
    public Action<string, long>? OnAccepted { get; set; }

    internal void Record(string recipient, DeliveryResult result)
    {
        if (result.Outcome == DeliveryOutcome.Delivered)
        {
            Interlocked.Increment(ref _delivered);
            OnAccepted?.Invoke(recipient, System.Diagnostics.Stopwatch.GetTimestamp());
        }
        else
        {
            Interlocked.Increment(ref _failed);
        }
    }
}

/// <summary>Loyalty's own SMTP transport (pooled), observed: registered before AddEmail so it is the IEmailTransport.</summary>
public sealed class ObservedTransport(SmtpEmailTransport inner, DeliveryProbe probe) : IEmailTransport
{
    public async Task<DeliveryResult> SendAsync(MimeMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        var result = await inner.SendAsync(message, cancellationToken);
        probe.Record(message.To.Mailboxes.First().Address, result);
        return result;
    }
}
