using System.Text.Json;

namespace Loyalty.Cli.Tests;

public sealed class FlowsCommandsTests
{
    private static string Settings => Paths.TestData("appsettings.json");

    [Fact]
    public async Task Flows_list_shows_the_configured_flows_as_the_library_reads_them()
    {
        var result = await Cli.RunAsync("flows", "list", "--config", Settings);

        result.ExitCode.Should().Be(0, result.ToString());
        result.Stdout.Should().Contain("starter-kit-checkin  on OrderPlaced  [transactional")
            .And.Contain("when order-has-tag:starter-kit")
            .And.Contain("1. wait 30 day(s), at 10:00 local time; exit when ordered-again: send template 'starter-kit-checkin'")
            .And.Contain("first-order-welcome  on MilestoneReached  [marketing, priority 0, re-entry OnceEver]")
            .And.Contain("from Loyalty:Email:Flows:big-order-thanks");
    }

    [Fact]
    public async Task Flows_list_includes_the_flows_the_packages_add_in_code()
    {
        var withReferrals = await Cli.RunAsync("flows", "list", "--config", Settings);
        var emailOnly = await Cli.RunAsync("flows", "list", "--config", Settings, "--email-only");

        withReferrals.Stdout.Should().Contain("review-thanks-share");
        emailOnly.Stdout.Should().NotContain("review-thanks-share").And.Contain("3 flow(s).");
    }

    [Fact]
    public async Task Flows_list_json_output_parses()
    {
        var result = await Cli.RunAsync("flows", "list", "--config", Settings, "--email-only", "--json");

        using var json = JsonDocument.Parse(result.Stdout);
        var flows = json.RootElement.GetProperty("flows").EnumerateArray().ToList();
        flows.Select(f => f.GetProperty("id").GetString()).Should().BeEquivalentTo("starter-kit-checkin", "big-order-thanks", "first-order-welcome");
        flows.Single(f => f.GetProperty("id").GetString() == "starter-kit-checkin").GetProperty("steps")[0].GetProperty("action").GetString()
            .Should().Be("send template 'starter-kit-checkin'");
    }

    [Fact]
    public async Task Flows_list_needs_a_config_file()
    {
        var result = await Cli.RunAsync("flows", "list");

        result.ExitCode.Should().Be(2);
        result.Stderr.Should().Contain("--config is required");
    }

    [Fact]
    public async Task Flows_check_passes_on_the_sample_settings()
    {
        var result = await Cli.RunAsync("flows", "check", "--config", Settings);

        result.ExitCode.Should().Be(0, result.ToString());
        result.Stdout.Should().Contain("all well");
    }

    [Fact]
    public async Task Flows_check_reports_every_problem_of_broken_settings_and_exits_one()
    {
        var result = await Cli.RunAsync("flows", "check", "--config", Paths.TestData("broken-appsettings.json"), "--json");

        result.ExitCode.Should().Be(1, result.ToString());
        using var json = JsonDocument.Parse(result.Stdout);
        var problems = json.RootElement.GetProperty("problems").EnumerateArray().Select(p => p.GetString()).ToList();
        problems.Should().Contain(p => p!.Contains("Loyalty:Email:Flows:winback:Steps:0:Wait: 'thirty days' is not a duration"));
        problems.Should().Contain(p => p!.Contains("entry condition 'custmer.locale == \"th\"'") && p.Contains("custmer"));
        problems.Should().Contain(p => p!.Contains("template 'no-such-template' does not exist"));
    }

    [Fact]
    public async Task Dry_run_shows_which_flows_enter_when_their_steps_fall_due_and_why_others_do_not()
    {
        var result = await Cli.RunAsync("flows", "dry-run", "--config", Settings, "--event", Paths.TestData("order-placed.json"), "--email-only");

        result.ExitCode.Should().Be(0, result.ToString());
        result.Stdout.Should().Contain("event OrderPlaced 'order-placed:5001' for customer 'c-42' (time zone Asia/Taipei)")
            .And.Contain("+ starter-kit-checkin: enters")
            .And.Contain("step 1: send template 'starter-kit-checkin' at 2026-05-31 10:00 +08:00 Asia/Taipei (2026-05-31 02:00 UTC), unless ordered-again by then")
            .And.Contain("- big-order-thanks: does not enter: entry condition 'liquid: order.total > 5000' does not hold")
            .And.Contain("reaches milestone: MilestoneReached first-order")
            .And.Contain("+ first-order-welcome (via MilestoneReached): enters")
            .And.Contain("at 2026-05-06 09:30 +08:00 Asia/Taipei");
    }

    [Fact]
    public async Task Dry_run_with_a_customer_who_ordered_before_reaches_no_first_order_milestone()
    {
        var result = await Cli.RunAsync("flows", "dry-run", "--config", Settings, "--event", Paths.TestData("order-placed.json"),
            "--customer", Paths.TestData("customer.json"), "--email-only", "--json");

        result.ExitCode.Should().Be(0, result.ToString());
        using var json = JsonDocument.Parse(result.Stdout);
        json.RootElement.GetProperty("derivedEvents").GetArrayLength().Should().Be(0);
        var flows = json.RootElement.GetProperty("flows").EnumerateArray().ToList();
        var checkin = flows.Single(f => f.GetProperty("flow").GetString() == "starter-kit-checkin");
        checkin.GetProperty("enters").GetBoolean().Should().BeTrue();
        checkin.GetProperty("steps")[0].GetProperty("dueAt").GetDateTimeOffset().Should().Be(new DateTimeOffset(2026, 5, 31, 2, 0, 0, TimeSpan.Zero));
        flows.Single(f => f.GetProperty("flow").GetString() == "first-order-welcome").GetProperty("enters").GetBoolean().Should().BeFalse();
    }

    [Fact]
    public async Task Dry_run_with_referrals_explains_that_flows_of_other_triggers_do_not_start()
    {
        var result = await Cli.RunAsync("flows", "dry-run", "--config", Settings, "--event", Paths.TestData("order-placed.json"));

        result.ExitCode.Should().Be(0, result.ToString());
        result.Stdout.Should().Contain("- review-thanks-share: does not enter: trigger: the flow starts on ReviewSubmitted, not on OrderPlaced");
    }

    [Fact]
    public async Task Dry_run_refuses_an_invalid_event_as_intake_would()
    {
        using var folder = new TempFolder().With("event.json", """
            { "$type": "OrderPlaced", "EventId": "x", "OccurredAt": "2026-05-01T02:00:00Z", "CustomerId": "c-1",
              "OrderId": "1", "Currency": "XXQ", "Total": -5, "Lines": [] }
            """);

        var result = await Cli.RunAsync("flows", "dry-run", "--config", Settings, "--event", Path.Combine(folder.Path, "event.json"));

        result.ExitCode.Should().Be(1, result.ToString());
        result.Stderr.Should().Contain("Currency");
    }

    [Fact]
    public async Task Dry_run_of_a_file_without_an_event_type_is_a_usage_error()
    {
        var result = await Cli.RunAsync("flows", "dry-run", "--config", Settings, "--event", Paths.TestData("customer.json"));

        result.ExitCode.Should().Be(2);
        result.Stderr.Should().Contain("needs a \"$type\"");
    }
}
