using MimeKit;

namespace Loyalty.Email.Delivery;

/// <summary>How a delivery attempt ended, as the dispatcher needs to know it.</summary>
public enum DeliveryOutcome
{
    /// <summary>The server accepted the message (250).</summary>
    Delivered,
    /// <summary>Try again later: a 4xx reply, a dropped connection, a timeout.</summary>
    TransientFailure,
    /// <summary>Never try again: a 5xx reply; the address should be suppressed when <see cref="DeliveryResult.HardBounce"/>.</summary>
    PermanentFailure,
}

/// <summary>The result of one delivery attempt.</summary>
/// <param name="Outcome">What happened.</param>
/// <param name="Reason">The server's reply or the error, for the send log.</param>
/// <param name="HardBounce">True when the recipient address itself was refused (5.1.x), so it must be suppressed.</param>
public sealed record DeliveryResult(DeliveryOutcome Outcome, string? Reason = null, bool HardBounce = false)
{
    /// <summary>Accepted.</summary>
    public static DeliveryResult Delivered { get; } = new(DeliveryOutcome.Delivered);
}

/// <summary>Moves a composed message to its recipient. Thread-safe; one recipient per message.</summary>
public interface IEmailTransport
{
    /// <summary>Sends <paramref name="message"/>; never throws for a delivery failure, reports it instead.</summary>
    Task<DeliveryResult> SendAsync(MimeMessage message, CancellationToken cancellationToken);
}
