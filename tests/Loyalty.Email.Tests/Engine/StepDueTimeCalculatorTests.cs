using Loyalty.Email.Flows;
using Loyalty.Email.Scheduling;

namespace Loyalty.Email.Tests.Engine;

public sealed class StepDueTimeCalculatorTests
{
    private static readonly TimeZoneInfo Taipei = TimeZoneInfo.FindSystemTimeZoneById("Asia/Taipei");
    private static readonly TimeZoneInfo NewYork = TimeZoneInfo.FindSystemTimeZoneById("America/New_York");

    private static FlowDefinition Flow(params FlowWait[] waits) => new()
    {
        Id = "f",
        Trigger = "OrderPlaced",
        Steps = [.. waits.Select(w => new FlowStep { Wait = w, Action = new SendTemplateAction("t") })],
    };

    [Fact]
    public void Next_ten_oclock_is_taken_in_the_customers_zone_later_the_same_day()
    {
        var from = new DateTimeOffset(2026, 3, 2, 7, 15, 0, TimeSpan.FromHours(8));

        StepDueTimeCalculator.NextLocalTime(from, new TimeOnly(10, 0), Taipei).Should().Be(new DateTimeOffset(2026, 3, 2, 10, 0, 0, TimeSpan.FromHours(8)));
    }

    [Fact]
    public void Next_ten_oclock_after_ten_is_the_next_day()
    {
        var from = new DateTimeOffset(2026, 3, 2, 10, 0, 1, TimeSpan.FromHours(8));

        StepDueTimeCalculator.NextLocalTime(from, new TimeOnly(10, 0), Taipei).Should().Be(new DateTimeOffset(2026, 3, 3, 10, 0, 0, TimeSpan.FromHours(8)));
    }

    [Fact]
    public void A_utc_instant_that_is_already_tomorrow_in_taipei_gets_tomorrows_ten_oclock_there()
    {
        // 18:30 UTC on 1 March is 02:30 on 2 March in Taipei.
        var from = new DateTimeOffset(2026, 3, 1, 18, 30, 0, TimeSpan.Zero);

        StepDueTimeCalculator.NextLocalTime(from, new TimeOnly(10, 0), Taipei).Should().Be(new DateTimeOffset(2026, 3, 2, 2, 0, 0, TimeSpan.Zero));
    }

    [Fact]
    public void Ten_oclock_keeps_its_wall_clock_time_across_the_spring_forward_in_new_york()
    {
        // 8 March 2026: New York moves from EST (-5) to EDT (-4).
        var saturday = new DateTimeOffset(2026, 3, 7, 12, 0, 0, TimeSpan.FromHours(-5));
        var due = StepDueTimeCalculator.Calculate(Flow(new FlowWait { Duration = TimeSpan.FromDays(1), AtLocalTime = new TimeOnly(10, 0) }), saturday, "America/New_York");

        due.Single().Should().Be(new DateTimeOffset(2026, 3, 9, 10, 0, 0, TimeSpan.FromHours(-4)));
        TimeZoneInfo.ConvertTime(due.Single(), NewYork).Hour.Should().Be(10);
    }

    [Fact]
    public void A_local_time_skipped_by_the_spring_forward_moves_to_the_first_valid_time_after_it()
    {
        var before = new DateTimeOffset(2026, 3, 8, 0, 0, 0, TimeSpan.FromHours(-5));

        StepDueTimeCalculator.NextLocalTime(before, new TimeOnly(2, 30), NewYork).Should().Be(new DateTimeOffset(2026, 3, 8, 3, 30, 0, TimeSpan.FromHours(-4)));
    }

    [Fact]
    public void Business_days_skip_the_weekend_in_the_customers_zone()
    {
        // Friday 15:00 in Taipei + 1 business day = Monday 15:00.
        var friday = new DateTimeOffset(2026, 3, 6, 15, 0, 0, TimeSpan.FromHours(8));

        StepDueTimeCalculator.AddBusinessDays(friday, 1, Taipei).Should().Be(new DateTimeOffset(2026, 3, 9, 15, 0, 0, TimeSpan.FromHours(8)));
        StepDueTimeCalculator.AddBusinessDays(friday, 5, Taipei).Should().Be(new DateTimeOffset(2026, 3, 13, 15, 0, 0, TimeSpan.FromHours(8)));
    }

    [Fact]
    public void Business_days_count_the_day_in_the_customers_zone_not_in_utc()
    {
        // Friday 20:00 UTC is already Saturday 04:00 in Taipei: one business day later is Monday there.
        var fridayUtc = new DateTimeOffset(2026, 3, 6, 20, 0, 0, TimeSpan.Zero);

        var due = StepDueTimeCalculator.AddBusinessDays(fridayUtc, 1, Taipei);

        TimeZoneInfo.ConvertTime(due, Taipei).DayOfWeek.Should().Be(DayOfWeek.Monday);
    }

    [Fact]
    public void Each_step_counts_from_the_one_before_it()
    {
        var start = new DateTimeOffset(2026, 3, 2, 9, 30, 0, TimeSpan.FromHours(8));
        var flow = Flow(
            new FlowWait { Duration = TimeSpan.FromDays(30) },
            new FlowWait { BusinessDays = 2, AtLocalTime = new TimeOnly(10, 0) },
            FlowWait.None);

        var due = StepDueTimeCalculator.Calculate(flow, start, "Asia/Taipei");

        // +30 days = Wed 1 April 09:30; +2 business days = Fri 3 April 09:30; next 10:00 = Fri 3 April 10:00.
        due.Should().Equal(
            new DateTimeOffset(2026, 4, 1, 9, 30, 0, TimeSpan.FromHours(8)),
            new DateTimeOffset(2026, 4, 3, 10, 0, 0, TimeSpan.FromHours(8)),
            new DateTimeOffset(2026, 4, 3, 10, 0, 0, TimeSpan.FromHours(8)));
    }

    [Fact]
    public void An_unknown_zone_falls_back_to_utc()
    {
        StepDueTimeCalculator.FindZone("Mars/Olympus_Mons").Should().Be(TimeZoneInfo.Utc);
        StepDueTimeCalculator.FindZone(null).Should().Be(TimeZoneInfo.Utc);
    }
}
