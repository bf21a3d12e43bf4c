using System.Security.Cryptography;
using System.Text;
using Loyalty.Referrals.Codes;
using Loyalty.Referrals.Diagnostics;
using Loyalty.Stores;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Loyalty.Referrals.Attribution;

/// <summary>A landing visit as the shop's endpoint saw it.</summary>
/// <param name="Code">The code in the landing URL (<c>/r/{code}</c>) or the <c>ref</c> query parameter.</param>
/// <param name="VisitorId">The shop's attribution cookie, which the order later carries as <c>OrderPlaced.VisitorId</c>.</param>
/// <param name="IpAddress">The visitor's IP address; only a keyed hash is stored.</param>
/// <param name="Network">The <c>utm_source</c> of the link, if any.</param>
public sealed record ReferralVisitRequest(string Code, string? VisitorId, string? IpAddress, string? Network);

/// <summary>Records landing visits and share-link opens (the top of the funnel).</summary>
public sealed class ReferralVisits
{
    private readonly ReferralCodes _codes;
    private readonly IReferralVisitStore _visits;
    private readonly IShareEventStore _shares;
    private readonly ReferralOptions _options;
    private readonly TimeProvider _time;
    private readonly ReferralTelemetry _telemetry;
    private readonly ILogger<ReferralVisits> _logger;

    /// <summary>Created by DI.</summary>
    public ReferralVisits(ReferralCodes codes, IReferralVisitStore visits, IShareEventStore shares, IOptions<ReferralOptions> options, TimeProvider time, ReferralTelemetry telemetry, ILogger<ReferralVisits> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _codes = codes;
        _visits = visits;
        _shares = shares;
        _options = options.Value;
        _time = time;
        _telemetry = telemetry;
        _logger = logger;
    }

    /// <summary>Records a visit with a code; null (nothing recorded) when the code is unknown or disabled.</summary>
    public async Task<ReferralVisit?> RecordVisitAsync(ReferralVisitRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var code = await _codes.ResolveAsync(request.Code, cancellationToken).ConfigureAwait(false);
        if (code is null)
        {
            ReferralsLog.UnknownCode(_logger, request.Code);
            return null;
        }

        var visit = new ReferralVisit
        {
            Id = Guid.CreateVersion7(_time.GetUtcNow()),
            Code = code.Code,
            AdvocateCustomerId = code.CustomerId,
            VisitorId = Limit(request.VisitorId, 200),
            IpHash = request.IpAddress is { Length: > 0 } ip ? HashIp(ip) : null,
            Network = Limit(request.Network?.Trim().ToLowerInvariant(), 40),
            VisitedAt = _time.GetUtcNow(),
        };
        await _visits.AddAsync(visit, cancellationToken).ConfigureAwait(false);
        _telemetry.Visit(visit.Network);
        return visit;
    }

    /// <summary>Records that <paramref name="customerId"/> opened the share link of <paramref name="network"/> (a tracked click).</summary>
    public async Task RecordShareOpenedAsync(string customerId, string network, string subject = "referral", CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(customerId);
        ArgumentException.ThrowIfNullOrWhiteSpace(network);
        var shareEvent = new ShareEvent
        {
            Id = Guid.CreateVersion7(_time.GetUtcNow()),
            CustomerId = customerId,
            Network = Limit(network.Trim().ToLowerInvariant(), 40)!,
            Subject = subject,
            Kind = ShareEventKind.Opened,
            At = _time.GetUtcNow(),
        };
        await _shares.AddAsync(shareEvent, cancellationToken).ConfigureAwait(false);
        _telemetry.ShareOpened(shareEvent.Network);
    }

    /// <summary>The stored form of an IP address: HMAC-SHA256 with <see cref="ReferralOptions.IpHashKey"/>, hex, so caps work without keeping addresses.</summary>
    public string HashIp(string ipAddress)
    {
        ArgumentNullException.ThrowIfNull(ipAddress);
        var key = Encoding.UTF8.GetBytes("loyalty-referrals-ip:" + (_options.IpHashKey ?? ""));
        return Convert.ToHexStringLower(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(ipAddress.Trim())))[..32];
    }

    private static string? Limit(string? value, int max) => value is null ? null : value.Length <= max ? value : value[..max];
}
