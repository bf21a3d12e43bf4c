namespace Loyalty.Storefront.Demo;

/// <summary>
/// The app's <see cref="TimeProvider"/> when <c>Storefront:DemoClock</c> is true: real time plus an offset that the
/// demo moves forward by hours or days, so a visitor can watch a 30-day check-in happen in a minute.
/// </summary>
public sealed class DemoClock : TimeProvider
{
    private readonly TimeProvider _real;
    private long _offsetTicks;

    public DemoClock(TimeProvider real, DateTimeOffset? start = null)
    {
        ArgumentNullException.ThrowIfNull(real);
        _real = real;
        if (start is { } s)
        {
            _offsetTicks = (s - real.GetUtcNow()).Ticks;
        }
    }

    /// <summary>How far the demo clock is ahead of real time.</summary>
    public TimeSpan Offset => TimeSpan.FromTicks(Interlocked.Read(ref _offsetTicks));

    public override DateTimeOffset GetUtcNow() => _real.GetUtcNow() + Offset;

    public override TimeZoneInfo LocalTimeZone => _real.LocalTimeZone;

    /// <summary>Moves the clock forward (never back: due work must not "un-happen").</summary>
    public DateTimeOffset Advance(TimeSpan by)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(by, TimeSpan.Zero);
        Interlocked.Add(ref _offsetTicks, by.Ticks);
        return GetUtcNow();
    }
}
