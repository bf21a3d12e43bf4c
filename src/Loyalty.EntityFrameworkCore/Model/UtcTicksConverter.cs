using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace Loyalty.EntityFrameworkCore;

/// <summary>
/// Stores a <see cref="DateTimeOffset"/> as its UTC ticks (a 64-bit integer) on every provider: SQLite cannot
/// compare or order <see cref="DateTimeOffset"/> in SQL, and one representation keeps the claim's raw SQL and
/// its index the same on every database. The offset is not kept: values come back in UTC, the same instant.
/// </summary>
internal sealed class UtcTicksConverter : ValueConverter<DateTimeOffset, long>
{
    public static UtcTicksConverter Instance { get; } = new();

    public UtcTicksConverter()
        : base(v => v.UtcTicks, v => new DateTimeOffset(v, TimeSpan.Zero))
    {
    }
}
