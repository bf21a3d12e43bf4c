using System.Globalization;
using Microsoft.Extensions.Configuration;

namespace Loyalty.Email.Flows;

/// <summary>
/// Reads flows from configuration (appsettings or environment variables) into the same
/// <see cref="FlowDefinition"/>s the C# builder makes. Shape, under <c>Loyalty:Email:Flows</c>:
/// <code>
/// "starter-kit-checkin": {
///   "Trigger": "OrderPlaced", "Category": "transactional", "When": [ "order-has-tag:starter-kit" ],
///   "Reentry": "OncePerTrigger",
///   "Steps": [ { "Wait": "30.00:00:00", "AtLocalTime": "10:00", "ExitWhen": [ "ordered-again" ], "Send": "starter-kit-checkin" } ]
/// }
/// </code>
/// A condition is a built-in name (<c>ordered-again</c>, <c>open-service-issue</c>, <c>order-refunded</c>,
/// <c>order-has-tag:TAG</c>, <c>order-has-sku:SKU</c>, <c>milestone:KEY</c>) or a Liquid expression.
/// </summary>
public static class FlowConfigurationReader
{
    /// <summary>Reads every child of <paramref name="flowsSection"/> as a flow; problems are collected, not thrown one by one.</summary>
    public static IReadOnlyList<FlowDefinition> Read(IConfiguration flowsSection, List<string> problems)
    {
        ArgumentNullException.ThrowIfNull(flowsSection);
        ArgumentNullException.ThrowIfNull(problems);
        var flows = new List<FlowDefinition>();
        foreach (var section in flowsSection.GetChildren())
        {
            var path = section is IConfigurationSection s ? s.Path : section.Key;
            if (section["Enabled"] is { } enabled && bool.TryParse(enabled, out var on) && !on)
            {
                continue;
            }

            var builder = new FlowBuilder(section.Key);
            if (section["Trigger"] is { } trigger)
            {
                builder.On(trigger);
            }

            if (section["Category"] is { } category)
            {
                builder.InCategory(category);
            }

            if (section["Priority"] is { } priority)
            {
                if (int.TryParse(priority, NumberStyles.Integer, CultureInfo.InvariantCulture, out var p))
                {
                    builder.WithPriority(p);
                }
                else
                {
                    problems.Add($"{path}:Priority: '{priority}' is not a whole number.");
                }
            }

            builder.SendFrom(section["From"], section["ReplyTo"]);
            ReadReentry(section, path, builder, problems);
            foreach (var condition in ReadConditions(section.GetSection("When")))
            {
                builder.When(condition);
            }

            var steps = section.GetSection("Steps").GetChildren().ToList();
            foreach (var step in steps)
            {
                ReadStep(step, builder, problems);
            }

            var flow = builder.Build();
            flows.Add(new FlowDefinition
            {
                Id = flow.Id,
                Trigger = flow.Trigger,
                Category = flow.Category,
                Priority = flow.Priority,
                EntryConditions = flow.EntryConditions,
                Steps = flow.Steps,
                Reentry = flow.Reentry,
                From = flow.From,
                ReplyTo = flow.ReplyTo,
                Source = path,
            });
        }

        return flows;
    }

    /// <summary>Parses one condition string: a built-in name or a Liquid expression.</summary>
    public static FlowCondition ParseCondition(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var trimmed = text.Trim();
        return trimmed switch
        {
            "ordered-again" => new BuiltInFlowCondition(BuiltInCondition.OrderedAgainSinceTrigger),
            "open-service-issue" => new BuiltInFlowCondition(BuiltInCondition.HasOpenServiceIssue),
            "order-refunded" => new BuiltInFlowCondition(BuiltInCondition.OrderRefunded),
            _ when trimmed.StartsWith("order-has-tag:", StringComparison.Ordinal) => new BuiltInFlowCondition(BuiltInCondition.OrderHasTag, trimmed["order-has-tag:".Length..]),
            _ when trimmed.StartsWith("order-has-sku:", StringComparison.Ordinal) => new BuiltInFlowCondition(BuiltInCondition.OrderHasSku, trimmed["order-has-sku:".Length..]),
            _ when trimmed.StartsWith("milestone:", StringComparison.Ordinal) => new BuiltInFlowCondition(BuiltInCondition.MilestoneIs, trimmed["milestone:".Length..]),
            _ => new LiquidExpressionCondition(trimmed),
        };
    }

    private static IEnumerable<FlowCondition> ReadConditions(IConfigurationSection section)
    {
        if (section.Value is { Length: > 0 } single)
        {
            yield return ParseCondition(single);
        }

        foreach (var child in section.GetChildren())
        {
            if (child.Value is { Length: > 0 } value)
            {
                yield return ParseCondition(value);
            }
        }
    }

    private static void ReadReentry(IConfigurationSection section, string path, FlowBuilder builder, List<string> problems)
    {
        var reentry = section["Reentry"];
        if (reentry is null)
        {
            return;
        }

        if (reentry.Equals("OncePerTrigger", StringComparison.OrdinalIgnoreCase))
        {
            builder.Reenter(FlowReentry.OncePerTrigger);
        }
        else if (reentry.Equals("OnceEver", StringComparison.OrdinalIgnoreCase))
        {
            builder.Reenter(FlowReentry.OnceEver);
        }
        else if (reentry.Equals("Cooldown", StringComparison.OrdinalIgnoreCase)
            && TimeSpan.TryParse(section["Cooldown"], CultureInfo.InvariantCulture, out var cooldown) && cooldown > TimeSpan.Zero)
        {
            builder.Reenter(FlowReentry.WithCooldown(cooldown));
        }
        else
        {
            problems.Add($"{path}:Reentry: '{reentry}' must be OncePerTrigger, OnceEver, or Cooldown with a positive 'Cooldown' (d.hh:mm:ss).");
        }
    }

    private static void ReadStep(IConfigurationSection step, FlowBuilder builder, List<string> problems)
    {
        var wait = new FlowWait();
        if (step["Wait"] is { } duration)
        {
            if (TimeSpan.TryParse(duration, CultureInfo.InvariantCulture, out var d) && d >= TimeSpan.Zero)
            {
                wait = wait with { Duration = d };
            }
            else
            {
                problems.Add($"{step.Path}:Wait: '{duration}' is not a duration (d.hh:mm:ss, e.g. 30.00:00:00 for 30 days).");
            }
        }

        if (step["BusinessDays"] is { } days)
        {
            if (int.TryParse(days, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) && n >= 0)
            {
                wait = wait with { BusinessDays = n };
            }
            else
            {
                problems.Add($"{step.Path}:BusinessDays: '{days}' is not a non-negative whole number.");
            }
        }

        if (step["AtLocalTime"] is { } at)
        {
            if (TimeOnly.TryParse(at, CultureInfo.InvariantCulture, out var time))
            {
                wait = wait with { AtLocalTime = time };
            }
            else
            {
                problems.Add($"{step.Path}:AtLocalTime: '{at}' is not a time of day (HH:mm).");
            }
        }

        if (step["FromDate"] is { Length: > 0 } fromDate)
        {
            wait = wait with { FromDatePath = fromDate };
        }

        builder.Wait(wait);
        foreach (var exit in ReadConditions(step.GetSection("ExitWhen")))
        {
            builder.ExitWhen(exit);
        }

        var actions = new List<FlowAction>();
        if (step["Send"] is { Length: > 0 } template)
        {
            actions.Add(new SendTemplateAction(template));
        }

        if (step["IssueCredit"] is { Length: > 0 } credit)
        {
            actions.Add(new IssueCreditAction(credit));
        }

        if (step["Publish"] is { Length: > 0 } publish)
        {
            actions.Add(new PublishEventAction(publish));
        }

        if (actions.Count != 1)
        {
            problems.Add($"{step.Path}: a step needs exactly one of Send, IssueCredit or Publish (found {actions.Count}).");
            return;
        }

        builder.Then(actions[0]);
    }
}
