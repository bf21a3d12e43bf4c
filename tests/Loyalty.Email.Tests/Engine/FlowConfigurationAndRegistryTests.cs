using Loyalty.Email.Flows;
using Loyalty.Email.Templates;
using Microsoft.Extensions.Configuration;

namespace Loyalty.Email.Tests.Engine;

public sealed class FlowConfigurationAndRegistryTests
{
    private static IConfiguration Flows(Dictionary<string, string?> values)
        => new ConfigurationBuilder().AddInMemoryCollection(values.ToDictionary(kv => "Loyalty:Email:Flows:" + kv.Key, kv => kv.Value)).Build().GetSection("Loyalty:Email:Flows");

    [Fact]
    public void Flows_from_appsettings_produce_the_same_definitions_as_the_csharp_builder()
    {
        var configured = FlowConfigurationReader.Read(Flows(new()
        {
            ["starter-kit-checkin:Trigger"] = "OrderPlaced",
            ["starter-kit-checkin:Category"] = "transactional",
            ["starter-kit-checkin:When:0"] = "order-has-tag:starter-kit",
            ["starter-kit-checkin:Steps:0:Wait"] = "30.00:00:00",
            ["starter-kit-checkin:Steps:0:AtLocalTime"] = "10:00",
            ["starter-kit-checkin:Steps:0:ExitWhen:0"] = "ordered-again",
            ["starter-kit-checkin:Steps:0:ExitWhen:1"] = "open-service-issue",
            ["starter-kit-checkin:Steps:0:Send"] = "starter-kit-checkin",
            ["fifth-order:Trigger"] = "MilestoneReached",
            ["fifth-order:Category"] = "marketing:milestones",
            ["fifth-order:Priority"] = "5",
            ["fifth-order:Reentry"] = "OnceEver",
            ["fifth-order:When"] = "milestone:order-count-5",
            ["fifth-order:Steps:0:BusinessDays"] = "1",
            ["fifth-order:Steps:0:Send"] = "milestone-congratulation",
            ["fifth-order:Steps:1:IssueCredit"] = "milestone-coupon",
            ["vip:Trigger"] = "OrderPlaced",
            ["vip:Reentry"] = "Cooldown",
            ["vip:Cooldown"] = "7.00:00:00",
            ["vip:When:0"] = "order.total.amount > 1000",
            ["vip:Steps:0:Publish"] = "vip-order",
        }), []);

        FlowDefinition[] built =
        [
            new FlowBuilder("fifth-order").On("MilestoneReached").Marketing("milestones").WithPriority(5).Reenter(FlowReentry.OnceEver)
                .WhenMilestone("order-count-5").Wait(new FlowWait { BusinessDays = 1 }).Send("milestone-congratulation").IssueCredit("milestone-coupon").Build(),
            new FlowBuilder("starter-kit-checkin").On("OrderPlaced").Transactional().WhenOrderHasTag("starter-kit")
                .Wait(new FlowWait { Duration = TimeSpan.FromDays(30), AtLocalTime = new TimeOnly(10, 0) })
                .ExitWhen(BuiltInCondition.OrderedAgainSinceTrigger).ExitWhen(BuiltInCondition.HasOpenServiceIssue)
                .Send("starter-kit-checkin").Build(),
            new FlowBuilder("vip").On("OrderPlaced").Reenter(FlowReentry.WithCooldown(TimeSpan.FromDays(7)))
                .WhenLiquid("order.total.amount > 1000").Publish("vip-order").Build(),
        ];

        configured.Should().BeEquivalentTo(built, o => o.Excluding(f => f.Source).RespectingRuntimeTypes().WithStrictOrdering());
        configured.Select(f => f.Source).Should().Equal("Loyalty:Email:Flows:fifth-order", "Loyalty:Email:Flows:starter-kit-checkin", "Loyalty:Email:Flows:vip");
    }

    [Fact]
    public void Bad_configuration_lists_every_problem_at_once()
    {
        var problems = new List<string>();
        FlowConfigurationReader.Read(Flows(new()
        {
            ["a:Trigger"] = "OrderPlaced",
            ["a:Priority"] = "high",
            ["a:Reentry"] = "Sometimes",
            ["a:Steps:0:Wait"] = "a month",
            ["a:Steps:0:BusinessDays"] = "-2",
            ["a:Steps:0:AtLocalTime"] = "25:99",
            ["a:Steps:0:Send"] = "x",
            ["b:Trigger"] = "OrderPlaced",
            ["b:Steps:0:Send"] = "x",
            ["b:Steps:0:Publish"] = "y",
        }), problems);

        problems.Should().HaveCount(6);
        problems.Should().Contain(p => p.StartsWith("Loyalty:Email:Flows:a:Priority", StringComparison.Ordinal));
        problems.Should().Contain(p => p.StartsWith("Loyalty:Email:Flows:a:Reentry", StringComparison.Ordinal));
        problems.Should().Contain(p => p.StartsWith("Loyalty:Email:Flows:a:Steps:0:Wait", StringComparison.Ordinal));
        problems.Should().Contain(p => p.StartsWith("Loyalty:Email:Flows:a:Steps:0:BusinessDays", StringComparison.Ordinal));
        problems.Should().Contain(p => p.StartsWith("Loyalty:Email:Flows:a:Steps:0:AtLocalTime", StringComparison.Ordinal));
        problems.Should().Contain(p => p.StartsWith("Loyalty:Email:Flows:b:Steps:0", StringComparison.Ordinal) && p.Contains("exactly one of Send, IssueCredit or Publish", StringComparison.Ordinal));
    }

    [Fact]
    public void A_disabled_flow_in_configuration_is_not_read()
    {
        FlowConfigurationReader.Read(Flows(new() { ["a:Enabled"] = "false", ["a:Trigger"] = "OrderPlaced", ["a:Steps:0:Send"] = "x" }), []).Should().BeEmpty();
    }

    [Fact]
    public void The_registry_reports_every_invalid_flow_with_its_source_and_what_is_wrong()
    {
        FlowDefinition[] flows =
        [
            new() { Id = "dup", Trigger = "OrderPlaced", Steps = [new FlowStep { Action = new SendTemplateAction("known") }] },
            new() { Id = "dup", Trigger = "OrderPlaced", Steps = [new FlowStep { Action = new SendTemplateAction("known") }], Source = "Loyalty:Email:Flows:dup" },
            new() { Id = "bad id!", Trigger = "", Category = "newsletter", Steps = [] },
            new()
            {
                Id = "steps",
                Trigger = "OrderPlaced",
                EntryConditions = [new BuiltInFlowCondition(BuiltInCondition.OrderHasTag), new BuiltInFlowCondition(BuiltInCondition.MilestoneIs, "")],
                Steps = [new FlowStep { Wait = new FlowWait { Duration = TimeSpan.FromDays(-1) }, Action = new SendTemplateAction("missing") }],
            },
        ];

        var act = () => new FlowRegistry(flows, new KnownTemplates("known"), liquid: null);

        var problems = act.Should().Throw<FlowValidationException>().Which.Problems;
        problems.Should().BeEquivalentTo(
        [
            "flow 'dup' is defined 2 times (code, Loyalty:Email:Flows:dup).",
            "flow 'bad id!' (code): the id may contain only letters, digits, '-' and '_'.",
            "flow 'bad id!' (code): has no trigger (set Trigger to an event type such as OrderPlaced).",
            "flow 'bad id!' (code): category 'newsletter' must be transactional, marketing or marketing:TOPIC.",
            "flow 'bad id!' (code): has no steps.",
            "flow 'steps' (code) entry condition: OrderHasTag needs an argument.",
            "flow 'steps' (code) entry condition: MilestoneIs needs an argument.",
            "flow 'steps' (code) step 1: the wait must not be negative.",
            "flow 'steps' (code) step 1: template 'missing' does not exist.",
        ]);
    }

    [Fact]
    public void A_liquid_condition_without_a_liquid_engine_is_refused_at_start_up()
    {
        var flow = new FlowBuilder("f").On("OrderPlaced").WhenLiquid("order.total.amount > 1").Send("known").Build();

        var act = () => new FlowRegistry([flow], new KnownTemplates("known"), liquid: null);

        act.Should().Throw<FlowValidationException>().Which.Problems.Should().ContainSingle()
            .Which.Should().Contain("cannot be checked: no Liquid engine is registered");
    }

    [Fact]
    public void Valid_flows_are_found_by_trigger_and_id()
    {
        var a = new FlowBuilder("a").On("OrderPlaced").Send("known").Build();
        var b = new FlowBuilder("b").On("OrderPlaced").Send("known").Build();
        var c = new FlowBuilder("c").On("MilestoneReached").WhenMilestone("first-order").Send("known").Build();

        var registry = new FlowRegistry([a, b, c], new KnownTemplates("known"), liquid: null);

        registry.ForTrigger("OrderPlaced").Select(f => f.Id).Should().Equal("a", "b");
        registry.ForTrigger("ReviewSubmitted").Should().BeEmpty();
        registry.Find("c").Should().BeSameAs(c);
        registry.Find("gone").Should().BeNull();
    }

    private sealed class KnownTemplates(params string[] names) : IEmailTemplateRenderer
    {
        public bool Exists(string templateName) => names.Contains(templateName);

        public RenderedEmail Render(string templateName, string locale, TemplateModel model) => throw new NotSupportedException();
    }
}
