using System.Globalization;
using Loyalty.Email.Flows;
using Loyalty.Email.Templates;

namespace Loyalty.Email.Scheduling;

/// <summary>Works out when each step of a flow falls due, in the customer's own time zone.</summary>
public static class StepDueTimeCalculator
{
    /// <summary>
    /// Due times of every step of <paramref name="flow"/>, each counted from the one before it (the first from
    /// <paramref name="start"/>), in <paramref name="timeZoneId"/>.
    /// </summary>
    public static IReadOnlyList<DateTimeOffset> Calculate(FlowDefinition flow, DateTimeOffset start, string timeZoneId, TemplateModel? model = null)
    {
        ArgumentNullException.ThrowIfNull(flow);
        var zone = FindZone(timeZoneId);
        var result = new DateTimeOffset[flow.Steps.Count];
        var previous = start;
        for (var i = 0; i < flow.Steps.Count; i++)
        {
            previous = Apply(flow.Steps[i].Wait, previous, zone, model);
            result[i] = previous;
        }

        return result;
    }

    /// <summary>Applies one wait to <paramref name="from"/>.</summary>
    public static DateTimeOffset Apply(FlowWait wait, DateTimeOffset from, TimeZoneInfo zone, TemplateModel? model = null)
    {
        ArgumentNullException.ThrowIfNull(wait);
        ArgumentNullException.ThrowIfNull(zone);
        var at = from;
        if (wait.FromDatePath is { } path && model is not null && ResolveDate(model, path) is { } date)
        {
            at = date;
        }

        at += wait.Duration;
        if (wait.BusinessDays > 0)
        {
            at = AddBusinessDays(at, wait.BusinessDays, zone);
        }

        if (wait.AtLocalTime is { } time)
        {
            at = NextLocalTime(at, time, zone);
        }

        return at;
    }

    /// <summary>The first instant at or after <paramref name="from"/> when the wall clock in <paramref name="zone"/> shows <paramref name="time"/>.</summary>
    public static DateTimeOffset NextLocalTime(DateTimeOffset from, TimeOnly time, TimeZoneInfo zone)
    {
        ArgumentNullException.ThrowIfNull(zone);
        var local = TimeZoneInfo.ConvertTime(from, zone);
        var candidateDate = DateOnly.FromDateTime(local.DateTime);
        for (var i = 0; i < 3; i++)
        {
            var wall = candidateDate.ToDateTime(time);
            if (zone.IsInvalidTime(wall))
            {
                // The clock skipped this time (spring forward): use the first valid minute after it.
                wall = wall.AddHours(1);
            }

            var candidate = new DateTimeOffset(wall, zone.GetUtcOffset(wall));
            if (candidate >= from)
            {
                return candidate;
            }

            candidateDate = candidateDate.AddDays(1);
        }

        return from;
    }

    /// <summary>Adds Monday-to-Friday days in the customer's zone.</summary>
    public static DateTimeOffset AddBusinessDays(DateTimeOffset from, int days, TimeZoneInfo zone)
    {
        ArgumentNullException.ThrowIfNull(zone);
        var local = TimeZoneInfo.ConvertTime(from, zone);
        var added = 0;
        while (added < days)
        {
            local = local.AddDays(1);
            if (local.DayOfWeek is not (DayOfWeek.Saturday or DayOfWeek.Sunday))
            {
                added++;
            }
        }

        return local;
    }

    /// <summary>The zone, or UTC when the id is unknown (ids are validated at intake; this is a last resort).</summary>
    public static TimeZoneInfo FindZone(string? id)
        => id is not null && TimeZoneInfo.TryFindSystemTimeZoneById(id, out var zone) ? zone : TimeZoneInfo.Utc;

    private static DateTimeOffset? ResolveDate(TemplateModel model, string path)
    {
        object? current = model.Root;
        foreach (var part in path.Split('.'))
        {
            current = current is IReadOnlyDictionary<string, object?> ro ? ro.GetValueOrDefault(part)
                : current is IDictionary<string, object?> rw && rw.TryGetValue(part, out var v) ? v : null;
        }

        return current switch
        {
            DateTimeOffset d => d,
            string s when DateTimeOffset.TryParse(s, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed) => parsed,
            _ => null,
        };
    }
}
