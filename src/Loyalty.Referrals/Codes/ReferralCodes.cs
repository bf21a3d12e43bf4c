using Loyalty.DependencyInjection;
using Loyalty.Referrals.Diagnostics;
using Loyalty.Stores;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Loyalty.Referrals.Codes;

/// <summary>A vanity code was refused (invalid, or taken by someone else).</summary>
public sealed class ReferralCodeException : Exception
{
    /// <summary>Creates the exception.</summary>
    public ReferralCodeException(string message) : base(message) { }
}

/// <summary>
/// Customers' referral codes and landing URLs. Generated codes are collision-safe under concurrency: the store's
/// insert-if-absent decides, and a collision (another customer drew the same code) just draws again.
/// </summary>
public sealed class ReferralCodes
{
    private const int MaxAttempts = 20;
    private readonly IReferralCodeStore _store;
    private readonly ReferralOptions _options;
    private readonly LoyaltyShopOptions _shop;
    private readonly TimeProvider _time;
    private readonly ReferralTelemetry _telemetry;
    private readonly ILogger<ReferralCodes> _logger;

    /// <summary>Created by DI.</summary>
    public ReferralCodes(IReferralCodeStore store, IOptions<ReferralOptions> options, IOptions<LoyaltyShopOptions> shop, TimeProvider time, ReferralTelemetry telemetry, ILogger<ReferralCodes> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(shop);
        _store = store;
        _options = options.Value;
        _shop = shop.Value;
        _time = time;
        _telemetry = telemetry;
        _logger = logger;
    }

    /// <summary>The customer's code (their newest vanity code, else their generated code), or null when they have none; writes nothing.</summary>
    public async Task<ReferralCode?> FindAsync(string customerId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(customerId);
        return Current(await _store.GetByCustomerAsync(customerId, cancellationToken).ConfigureAwait(false));
    }

    /// <summary>
    /// The customer's code: their newest vanity code if they have one, else their generated code, made now when they
    /// have none. Calling it concurrently for one customer yields one generated code.
    /// </summary>
    public async Task<ReferralCode> GetOrCreateAsync(string customerId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(customerId);
        for (var attempt = 1; attempt <= MaxAttempts; attempt++)
        {
            var existing = await FindAsync(customerId, cancellationToken).ConfigureAwait(false);
            if (existing is not null)
            {
                return existing;
            }

            var code = new ReferralCode
            {
                Code = ReferralCodeGenerator.Generate(_options.CodeLength),
                CustomerId = customerId,
                CreatedAt = _time.GetUtcNow(),
            };
            switch (await _store.TryAddAsync(code, cancellationToken).ConfigureAwait(false))
            {
                case ReferralCodeAddResult.Added:
                    _telemetry.CodeCreated(vanity: false);
                    return code;
                case ReferralCodeAddResult.CodeTaken:
                    ReferralsLog.CodeCollision(_logger, customerId, attempt);
                    break;
                case ReferralCodeAddResult.CustomerHasGeneratedCode:
                    // A concurrent call for the same customer won; the next loop reads its code.
                    break;
            }
        }

        throw new InvalidOperationException($"Could not create a unique referral code for customer '{customerId}' after {MaxAttempts} attempts; raise Referrals:CodeLength.");
    }

    /// <summary>Gives the customer a vanity code (validated, unique); throws <see cref="ReferralCodeException"/> when it is refused.</summary>
    public async Task<ReferralCode> AddVanityAsync(string customerId, string vanity, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(customerId);
        if (ReferralCodeGenerator.CheckVanity(vanity) is { } problem)
        {
            throw new ReferralCodeException($"Vanity code {problem}");
        }

        var code = new ReferralCode { Code = ReferralCodeGenerator.Normalize(vanity), CustomerId = customerId, IsVanity = true, CreatedAt = _time.GetUtcNow() };
        var result = await _store.TryAddAsync(code, cancellationToken).ConfigureAwait(false);
        if (result == ReferralCodeAddResult.Added)
        {
            _telemetry.CodeCreated(vanity: true);
            return code;
        }

        var owner = await _store.FindByCodeAsync(code.Code, cancellationToken).ConfigureAwait(false);
        return owner?.CustomerId == customerId ? owner : throw new ReferralCodeException("Vanity code is taken.");
    }

    /// <summary>The active code <paramref name="code"/> (any case, surrounding spaces ignored), or null.</summary>
    public async Task<ReferralCode?> ResolveAsync(string? code, CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrWhiteSpace(code) || code.Length > 64)
        {
            return null;
        }

        var found = await _store.FindByCodeAsync(ReferralCodeGenerator.Normalize(code), cancellationToken).ConfigureAwait(false);
        return found is { Disabled: false } ? found : null;
    }

    /// <summary>The landing URL of a code: <c>{Shop.BaseUrl}/r/{code}</c>.</summary>
    public Uri LandingUrl(string code)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(code);
        return new Uri(_shop.BaseUrl, $"{_options.LandingPath.Trim('/')}/{Uri.EscapeDataString(code)}");
    }

    private static ReferralCode? Current(IReadOnlyList<ReferralCode> codes) =>
        codes.Where(c => !c.Disabled).OrderByDescending(c => c.IsVanity).ThenByDescending(c => c.CreatedAt).FirstOrDefault();
}
