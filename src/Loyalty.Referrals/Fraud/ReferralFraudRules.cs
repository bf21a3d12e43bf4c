using Loyalty.Events;
using Loyalty.Stores;
using Microsoft.Extensions.Options;

namespace Loyalty.Referrals.Fraud;

/// <summary>The rule names recorded in <see cref="ReferralFraudDecision.Rule"/>.</summary>
public static class FraudRuleNames
{
    /// <summary>The friend is the advocate (same id, e-mail, shipping address or payment instrument).</summary>
    public const string SelfReferral = "self-referral";
    /// <summary>The friend had ordered before.</summary>
    public const string NotNewCustomer = "not-new-customer";
    /// <summary>The advocate reached the cap of referrals per period.</summary>
    public const string AdvocateCap = "advocate-cap";
    /// <summary>The visitor's IP reached the cap of referrals per period.</summary>
    public const string IpCap = "ip-cap";
}

/// <summary>A referral about to be attributed, as the fraud rules see it.</summary>
/// <param name="Order">The friend's order.</param>
/// <param name="Advocate">The code's owner.</param>
/// <param name="Code">The code.</param>
/// <param name="IpHash">The IP hash of the winning visit, if any.</param>
public sealed record ReferralCandidate(OrderPlaced Order, string Advocate, string Code, string? IpHash);

/// <summary>Why a referral was blocked.</summary>
/// <param name="Rule">One of <see cref="FraudRuleNames"/>.</param>
/// <param name="Reason">What matched.</param>
public sealed record FraudVerdict(string Rule, string Reason);

/// <summary>
/// The fraud rules, each switched in <see cref="ReferralFraudOptions"/>: self-referral (same customer id, same
/// normalised e-mail, same shipping address or payment fingerprint), friend not a new customer, per-advocate cap and
/// per-IP cap. Returns the first rule that blocks, or null for a legitimate friend.
/// </summary>
public sealed class ReferralFraudRules
{
    private readonly ICustomerStore _customers;
    private readonly ICustomerFingerprintStore _fingerprints;
    private readonly IReferralAttributionStore _attributions;
    private readonly ReferralFraudOptions _options;
    private readonly TimeProvider _time;

    /// <summary>Created by DI.</summary>
    public ReferralFraudRules(ICustomerStore customers, ICustomerFingerprintStore fingerprints, IReferralAttributionStore attributions, IOptions<ReferralOptions> options, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(options);
        _customers = customers;
        _fingerprints = fingerprints;
        _attributions = attributions;
        _options = options.Value.Fraud;
        _time = time;
    }

    /// <summary>The first rule that blocks <paramref name="candidate"/>, or null.</summary>
    public async Task<FraudVerdict?> CheckAsync(ReferralCandidate candidate, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(candidate);
        var order = candidate.Order;
        var friend = order.CustomerId;
        if (_options.BlockSelfReferral)
        {
            if (string.Equals(friend, candidate.Advocate, StringComparison.Ordinal))
            {
                return new(FraudRuleNames.SelfReferral, "the friend is the advocate (same customer id)");
            }

            var friendEmail = order.Customer?.Email ?? (await _customers.FindByIdAsync(friend, cancellationToken).ConfigureAwait(false))?.Email;
            var advocateEmail = (await _customers.FindByIdAsync(candidate.Advocate, cancellationToken).ConfigureAwait(false))?.Email;
            if (friendEmail is not null && advocateEmail is not null
                && ReferralEmailNormalizer.Normalize(friendEmail) == ReferralEmailNormalizer.Normalize(advocateEmail))
            {
                return new(FraudRuleNames.SelfReferral, "the friend's e-mail is the advocate's (after removing case, +tags and Gmail dots)");
            }

            if (await SharesFingerprintAsync("shipping", order.ShippingAddressFingerprint, candidate.Advocate, cancellationToken).ConfigureAwait(false))
            {
                return new(FraudRuleNames.SelfReferral, "the friend's shipping address is one the advocate used");
            }

            if (await SharesFingerprintAsync("payment", order.PaymentFingerprint, candidate.Advocate, cancellationToken).ConfigureAwait(false))
            {
                return new(FraudRuleNames.SelfReferral, "the friend's payment instrument is one the advocate used");
            }
        }

        if (_options.RequireNewCustomer)
        {
            var orders = await _customers.GetOrdersAsync(friend, cancellationToken).ConfigureAwait(false);
            var earlier = orders.Count(o => o.OrderId != order.OrderId && o.PlacedAt <= order.OccurredAt);
            if (earlier > 0)
            {
                return new(FraudRuleNames.NotNewCustomer, $"the friend had {earlier} earlier order(s)");
            }
        }

        var now = _time.GetUtcNow();
        if (_options.AdvocateCap > 0)
        {
            var count = await _attributions.CountByAdvocateAsync(candidate.Advocate, now - _options.AdvocatePeriod, cancellationToken).ConfigureAwait(false);
            if (count >= _options.AdvocateCap)
            {
                return new(FraudRuleNames.AdvocateCap, $"the advocate has {count} referrals in {_options.AdvocatePeriod}; the cap is {_options.AdvocateCap}");
            }
        }

        if (_options.IpCap > 0 && candidate.IpHash is { } ip)
        {
            var count = await _attributions.CountByIpHashAsync(ip, now - _options.IpPeriod, cancellationToken).ConfigureAwait(false);
            if (count >= _options.IpCap)
            {
                return new(FraudRuleNames.IpCap, $"the visitor's IP has {count} referrals in {_options.IpPeriod}; the cap is {_options.IpCap}");
            }
        }

        return null;
    }

    private async Task<bool> SharesFingerprintAsync(string kind, string? value, string advocate, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(value))
        {
            return false;
        }

        var users = await _fingerprints.FindCustomersAsync(kind, value, cancellationToken).ConfigureAwait(false);
        return users.Contains(advocate);
    }
}
