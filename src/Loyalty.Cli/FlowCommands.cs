using System.Globalization;
using Loyalty.Email;
using Loyalty.Email.Composition;
using Loyalty.Email.Flows;
using Loyalty.Email.Milestones;
using Loyalty.Email.Scheduling;
using Loyalty.Email.Templates;
using Loyalty.Events;
using Loyalty.Stores;
using Loyalty.Validation;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Loyalty.Cli;

/// <summary><c>loyalty flows list|check|dry-run</c>.</summary>
internal static class FlowCommands
{
    private static readonly string[] ListOptions = ["--config", "--templates"];
    private static readonly string[] DryRunOptions = ["--config", "--templates", "--event", "--customer"];
    private static readonly string[] Flags = ["--json", "--no-defaults", "--email-only"];

    internal sealed record StepView(int Step, string Wait, IReadOnlyList<string> ExitWhen, string Action);

    internal sealed record FlowView(string Id, string Trigger, string Category, int Priority, string Reentry, string Source, IReadOnlyList<string> When, IReadOnlyList<StepView> Steps);

    internal sealed record CheckReport(int Flows, IReadOnlyList<string> Problems, IReadOnlyList<string> TemplateWarnings);

    internal sealed record ScheduledView(int Step, DateTimeOffset DueAt, string DueLocal, string Action, IReadOnlyList<string> ExitWhen);

    internal sealed record FlowOutcome(string Flow, string Event, bool Enters, string Reason, IReadOnlyList<ScheduledView> Steps);

    internal sealed record DryRunReport(string EventId, string EventType, string CustomerId, string TimeZone, IReadOnlyList<string> DerivedEvents, IReadOnlyList<FlowOutcome> Flows);

    /// <summary>The flows a host would have: those added in code (by the packages) plus <c>Loyalty:Email:Flows</c>, read by the library's reader.</summary>
    internal static List<FlowDefinition> ReadFlows(IServiceProvider services, IConfiguration configuration, List<string> problems)
    {
        var flows = services.GetRequiredService<IOptions<FlowCatalogOptions>>().Value.Flows.ToList();
        flows.AddRange(FlowConfigurationReader.Read(configuration.GetSection("Loyalty:Email:Flows"), problems));
        return flows;
    }

    public static async Task<int> ListAsync(IReadOnlyList<string> args, CliConsole console, CancellationToken cancellationToken)
    {
        var line = CommandLine.Parse(args, ListOptions, Flags);
        line.NoMorePositionalsThan(0);
        var settings = ServiceSettings.From(line);
        var configuration = LoyaltyServices.ReadConfiguration(line.Require("--config", "the host's appsettings.json"));
        await using var services = LoyaltyServices.Build(settings, configuration, console.Time);
        var problems = new List<string>();
        var flows = ReadFlows(services, configuration, problems).Select(View).ToList();
        if (line.Json)
        {
            await console.JsonAsync(new { flows, problems }, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            foreach (var flow in flows)
            {
                await console.LineAsync(string.Create(CultureInfo.InvariantCulture, $"{flow.Id}  on {flow.Trigger}  [{flow.Category}, priority {flow.Priority}, re-entry {flow.Reentry}]  from {flow.Source}"), cancellationToken).ConfigureAwait(false);
                foreach (var condition in flow.When)
                {
                    await console.LineAsync($"    when {condition}", cancellationToken).ConfigureAwait(false);
                }

                foreach (var step in flow.Steps)
                {
                    var exits = step.ExitWhen.Count == 0 ? "" : $"; exit when {string.Join(" or ", step.ExitWhen)}";
                    await console.LineAsync(string.Create(CultureInfo.InvariantCulture, $"    {step.Step}. {step.Wait}{exits}: {step.Action}"), cancellationToken).ConfigureAwait(false);
                }
            }

            foreach (var problem in problems)
            {
                await console.LineAsync($"error: {problem}", cancellationToken).ConfigureAwait(false);
            }

            await console.LineAsync(string.Create(CultureInfo.InvariantCulture, $"{flows.Count} flow(s)."), cancellationToken).ConfigureAwait(false);
        }

        return problems.Count > 0 ? LoyaltyCli.ExitErrors : LoyaltyCli.ExitOk;
    }

    public static async Task<int> CheckAsync(IReadOnlyList<string> args, CliConsole console, CancellationToken cancellationToken)
    {
        var line = CommandLine.Parse(args, ListOptions, Flags);
        line.NoMorePositionalsThan(0);
        var settings = ServiceSettings.From(line);
        var configuration = LoyaltyServices.ReadConfiguration(line.Require("--config", "the host's appsettings.json"));
        await using var services = LoyaltyServices.Build(settings, configuration, console.Time);
        var problems = new List<string>();
        var flows = ReadFlows(services, configuration, problems);
        await console.ProgressAsync(string.Create(CultureInfo.InvariantCulture, $"checking {flows.Count} flows and the templates they send ..."), cancellationToken).ConfigureAwait(false);

        // The templates a host would load: a broken one stops the host, so it is a problem here too.
        IEmailTemplateRenderer? renderer = null;
        var templateWarnings = new List<string>();
        try
        {
            renderer = services.GetRequiredService<IEmailTemplateRenderer>();
            var options = services.GetRequiredService<IOptions<TemplateOptions>>().Value;
            templateWarnings.AddRange(TemplateValidator.Validate(options, services.GetServices<ILiquidFilterProvider>()).Select(d => d.ToString()));
        }
        catch (TemplateValidationException ex)
        {
            problems.AddRange(ex.Diagnostics.Where(d => d.Severity == TemplateDiagnosticSeverity.Error).Select(d => "template " + d));
        }

        // The same check the host runs at start-up (FlowRegistry): ids, triggers, categories, steps, Liquid conditions, templates.
        problems.AddRange(FlowRegistry.Validate(flows, renderer, services.GetRequiredService<ILiquidConditionEvaluator>()));
        if (line.Json)
        {
            await console.JsonAsync(new CheckReport(flows.Count, problems, templateWarnings), cancellationToken).ConfigureAwait(false);
        }
        else
        {
            foreach (var problem in problems)
            {
                await console.LineAsync($"error: {problem}", cancellationToken).ConfigureAwait(false);
            }

            await console.LineAsync(
                problems.Count == 0
                    ? string.Create(CultureInfo.InvariantCulture, $"{flows.Count} flow(s) checked: all well.")
                    : string.Create(CultureInfo.InvariantCulture, $"{flows.Count} flow(s) checked: {problems.Count} problem(s)."),
                cancellationToken).ConfigureAwait(false);
        }

        return problems.Count > 0 ? LoyaltyCli.ExitErrors : LoyaltyCli.ExitOk;
    }

    public static async Task<int> DryRunAsync(IReadOnlyList<string> args, CliConsole console, CancellationToken cancellationToken)
    {
        var line = CommandLine.Parse(args, DryRunOptions, Flags);
        line.NoMorePositionalsThan(0);
        var settings = ServiceSettings.From(line);
        var configuration = LoyaltyServices.ReadConfiguration(line.Require("--config", "the host's appsettings.json"));
        var eventPath = line.Require("--event", "an event as JSON with \"$type\"");
        LoyaltyEvent triggerEvent;
        using (var document = await InputFiles.ReadDocumentAsync(eventPath, cancellationToken).ConfigureAwait(false))
        {
            triggerEvent = InputFiles.ToEvent(document, eventPath);
        }

        LoyaltyCustomer? customer = null;
        IReadOnlyList<CustomerOrder> orders = [];
        if (line.Get("--customer") is { } customerPath)
        {
            using var document = await InputFiles.ReadDocumentAsync(customerPath, cancellationToken).ConfigureAwait(false);
            (customer, orders) = InputFiles.ToCustomer(document, customerPath);
        }

        await using var services = LoyaltyServices.Build(settings, configuration, console.Time);

        // The host's validated flows (throws FlowValidationException / TemplateValidationException as a host would fail).
        var flows = services.GetRequiredService<FlowRegistry>();

        // The library's own dry run: the planning code intake runs, over empty in-memory stores and the given snapshot.
        // It refuses an invalid event as intake would, before anything is planned.
        FlowDryRunReport planned;
        await using (var scope = services.CreateAsyncScope())
        {
            try
            {
                planned = await scope.ServiceProvider.GetRequiredService<FlowDryRun>().RunAsync(triggerEvent, customer, orders, cancellationToken).ConfigureAwait(false);
            }
            catch (EventValidationException ex)
            {
                foreach (var problem in ex.Problems)
                {
                    await console.ProgressAsync($"error: {eventPath}: {problem}", cancellationToken).ConfigureAwait(false);
                }

                return LoyaltyCli.ExitErrors;
            }
        }

        var zone = customer?.TimeZone ?? triggerEvent.Customer?.TimeZone ?? "UTC";
        var timeZone = StepDueTimeCalculator.FindZone(zone);
        var byId = flows.All.ToDictionary(f => f.Id, StringComparer.Ordinal);
        var outcomes = planned.Flows.Select(r => Outcome(r, byId[r.FlowId], customer, timeZone, zone)).ToList();
        var report = new DryRunReport(triggerEvent.EventId, triggerEvent.EventType, triggerEvent.CustomerId, zone,
            planned.Milestones.Select(m => $"{EventTypes.MilestoneReached} {m}").ToList(), outcomes);
        if (line.Json)
        {
            await console.JsonAsync(report, cancellationToken).ConfigureAwait(false);
            return LoyaltyCli.ExitOk;
        }

        await console.LineAsync($"event {report.EventType} '{report.EventId}' for customer '{report.CustomerId}' (time zone {zone})", cancellationToken).ConfigureAwait(false);
        foreach (var derived in report.DerivedEvents)
        {
            await console.LineAsync($"  reaches milestone: {derived}", cancellationToken).ConfigureAwait(false);
        }

        foreach (var outcome in outcomes.OrderByDescending(o => o.Enters))
        {
            var via = outcome.Event == triggerEvent.EventType ? "" : $" (via {outcome.Event})";
            if (!outcome.Enters)
            {
                await console.LineAsync($"  - {outcome.Flow}{via}: does not enter: {outcome.Reason}", cancellationToken).ConfigureAwait(false);
                continue;
            }

            await console.LineAsync($"  + {outcome.Flow}{via}: enters ({outcome.Reason})", cancellationToken).ConfigureAwait(false);
            foreach (var step in outcome.Steps)
            {
                var exits = step.ExitWhen.Count == 0 ? "" : $", unless {string.Join(" or ", step.ExitWhen)} by then";
                await console.LineAsync(string.Create(CultureInfo.InvariantCulture, $"      step {step.Step}: {step.Action} at {step.DueLocal} ({step.DueAt.UtcDateTime:yyyy-MM-dd HH:mm} UTC){exits}"), cancellationToken).ConfigureAwait(false);
            }
        }

        return LoyaltyCli.ExitOk;
    }

    /// <summary>The library's verdict for one flow, with the why of an entry and the due times in the customer's zone.</summary>
    private static FlowOutcome Outcome(FlowDryRunResult result, FlowDefinition flow, LoyaltyCustomer? customer, TimeZoneInfo timeZone, string zone)
    {
        if (!result.WouldEnter)
        {
            return new FlowOutcome(result.FlowId, result.EventType, false, result.Reason ?? result.Verdict.ToString(), []);
        }

        var reason = flow.EntryConditions.Count == 0 ? "no entry conditions" : "entry conditions hold: " + string.Join(", ", flow.EntryConditions.Select(c => c.Name));
        reason += flow.Reentry.Kind switch
        {
            FlowReentryKind.OnceEver => "; once ever: not again if the customer entered before",
            FlowReentryKind.Cooldown => string.Create(CultureInfo.InvariantCulture, $"; not again within {flow.Reentry.Cooldown} of an earlier entry"),
            _ => "; once per trigger",
        };
        if (EmailCategories.IsMarketing(flow.Category))
        {
            reason += customer?.MarketingConsent == true
                ? "; marketing: the customer has consented"
                : "; marketing: sent only if the customer has consented by then";
        }

        var steps = result.Steps.Select(s => new ScheduledView(
            s.Index + 1,
            s.DueAt,
            TimeZoneInfo.ConvertTime(s.DueAt, timeZone).ToString("yyyy-MM-dd HH:mm zzz", CultureInfo.InvariantCulture) + " " + zone,
            s.Action,
            s.ExitConditions)).ToList();
        return new FlowOutcome(result.FlowId, result.EventType, true, reason, steps);
    }

    private static FlowView View(FlowDefinition flow) => new(
        flow.Id,
        flow.Trigger,
        flow.Category,
        flow.Priority,
        flow.Reentry.Kind == FlowReentryKind.Cooldown ? string.Create(CultureInfo.InvariantCulture, $"Cooldown {flow.Reentry.Cooldown}") : flow.Reentry.Kind.ToString(),
        flow.Source,
        flow.EntryConditions.Select(c => c.Name).ToList(),
        flow.Steps.Select((s, i) => new StepView(i + 1, DescribeWait(s.Wait), s.ExitConditions.Select(c => c.Name).ToList(), s.Action.Describe())).ToList());

    internal static string DescribeWait(FlowWait wait)
    {
        if (wait.IsImmediate)
        {
            return "at once";
        }

        var parts = new List<string>();
        if (wait.FromDatePath is { } path)
        {
            parts.Add($"from {path}");
        }

        if (wait.Duration > TimeSpan.Zero)
        {
            parts.Add("wait " + Duration(wait.Duration));
        }

        if (wait.BusinessDays > 0)
        {
            parts.Add(string.Create(CultureInfo.InvariantCulture, $"+{wait.BusinessDays} business day(s)"));
        }

        if (wait.AtLocalTime is { } at)
        {
            parts.Add($"at {at.ToString("HH:mm", CultureInfo.InvariantCulture)} local time");
        }

        return string.Join(", ", parts);
    }

    private static string Duration(TimeSpan span) => span switch
    {
        { TotalDays: >= 1 } when span.Ticks % TimeSpan.TicksPerDay == 0 => string.Create(CultureInfo.InvariantCulture, $"{span.TotalDays:0} day(s)"),
        { TotalHours: >= 1 } when span.Ticks % TimeSpan.TicksPerHour == 0 => string.Create(CultureInfo.InvariantCulture, $"{span.TotalHours:0} hour(s)"),
        _ => span.ToString("c", CultureInfo.InvariantCulture),
    };
}
