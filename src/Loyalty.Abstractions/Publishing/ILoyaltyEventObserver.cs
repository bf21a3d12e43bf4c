using Loyalty.Events;

namespace Loyalty.Publishing;

/// <summary>
/// Told about every event intake accepted, after its write committed (a repeated event is not told again). Packages
/// such as Loyalty.Referrals hook in here. An observer must be idempotent: a crash between the commit and the call
/// means the shop's retry of the publish finds the event processed and does not call it again, so observers should
/// keep their own effects keyed by the event id.
/// </summary>
public interface ILoyaltyEventObserver
{
    /// <summary>Reacts to an accepted event.</summary>
    Task OnAcceptedAsync(LoyaltyEvent loyaltyEvent, CancellationToken cancellationToken);
}
