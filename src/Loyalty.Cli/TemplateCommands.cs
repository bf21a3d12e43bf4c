using System.Globalization;
using Loyalty.DependencyInjection;
using Loyalty.Email;
using Loyalty.Email.Composition;
using Loyalty.Email.Flows;
using Loyalty.Email.Templates;
using Loyalty.Events;
using Loyalty.Stores;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Loyalty.Cli;

/// <summary><c>loyalty templates validate</c> and <c>loyalty templates preview</c>.</summary>
internal static class TemplateCommands
{
    private static readonly string[] ValidateOptions = ["--config"];
    private static readonly string[] ValidateFlags = ["--json", "--no-defaults", "--email-only"];
    private static readonly string[] PreviewOptions = ["--locale", "--data", "--templates", "--config", "--out"];
    private static readonly string[] PreviewFlags = ["--json", "--no-defaults", "--email-only"];

    /// <summary>One finding, as printed and as serialised by <c>--json</c>.</summary>
    internal sealed record Finding(string File, string Path, int Line, int Column, string Severity, string Message);

    /// <summary>The <c>--json</c> output of <c>templates validate</c>.</summary>
    internal sealed record ValidationReport(string Directory, int Templates, int Errors, int Warnings, IReadOnlyList<Finding> Diagnostics);

    /// <summary>The <c>--json</c> output of <c>templates preview</c>.</summary>
    internal sealed record PreviewReport(string Template, string Locale, string Subject, string Html, string Text, string? Preheader, IReadOnlyList<string> Files);

    public static async Task<int> ValidateAsync(IReadOnlyList<string> args, CliConsole console, CancellationToken cancellationToken)
    {
        var line = CommandLine.Parse(args, ValidateOptions, ValidateFlags);
        var directory = line.Positional(0, "the templates folder: loyalty templates validate <dir>");
        line.NoMorePositionalsThan(1);
        if (!Directory.Exists(directory))
        {
            throw new CliUsageException($"templates folder '{directory}' does not exist.");
        }

        var settings = ServiceSettings.From(line) with { TemplatesPath = directory };
        var configuration = LoyaltyServices.ReadConfiguration(settings.ConfigPath);
        await using var services = LoyaltyServices.Build(settings, configuration, console.Time);
        var options = services.GetRequiredService<IOptions<TemplateOptions>>().Value;
        var providers = services.GetServices<ILiquidFilterProvider>().ToList();
        var names = TemplateNames(directory);
        await console.ProgressAsync(string.Create(CultureInfo.InvariantCulture, $"validating {names.Count} templates in {directory} ..."), cancellationToken).ConfigureAwait(false);

        // 1. The library's own start-up check: syntax, unknown variables and filters, refused tags, marketing rules,
        //    missing locales, layouts and partials.
        var diagnostics = TemplateValidator.Validate(options, providers).ToList();

        // 2. When that passes, every template renders in every locale with the built-in sample data (what a host
        //    would do at the first send); a failure is a warning, as real data may differ from the sample.
        if (!diagnostics.Any(d => d.Severity == TemplateDiagnosticSeverity.Error))
        {
            var renderer = services.GetRequiredService<IEmailTemplateRenderer>();
            var factory = services.GetRequiredService<TemplateModelFactory>();
            var triggers = TriggersByTemplate(services, configuration);
            for (var i = 0; i < names.Count; i++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var name = names[i];
                foreach (var locale in LocalesOf(directory, name))
                {
                    try
                    {
                        var model = SampleModel(services, factory, triggers.GetValueOrDefault(name), locale, console.Time);
                        renderer.Render(name, locale, model);
                    }
                    catch (TemplateRenderException ex)
                    {
                        diagnostics.Add(new TemplateDiagnostic($"{name}/{locale}/html.liquid", 0, 0, TemplateDiagnosticSeverity.Warning, "does not render with the built-in sample data: " + ex.Message));
                    }
                }

                if ((i + 1) % 10 == 0 || i + 1 == names.Count)
                {
                    await console.ProgressAsync(string.Create(CultureInfo.InvariantCulture, $"validated {i + 1}/{names.Count} templates"), cancellationToken).ConfigureAwait(false);
                }
            }
        }

        var findings = diagnostics
            .Select(d => new Finding(d.File, DisplayPath(directory, d.File), d.Line, d.Column, d.Severity == TemplateDiagnosticSeverity.Error ? "error" : "warning", d.Message))
            .ToList();
        var errors = findings.Count(f => f.Severity == "error");
        var warnings = findings.Count - errors;
        if (line.Json)
        {
            await console.JsonAsync(new ValidationReport(directory, names.Count, errors, warnings, findings), cancellationToken).ConfigureAwait(false);
        }
        else
        {
            foreach (var finding in findings)
            {
                await console.LineAsync(string.Create(CultureInfo.InvariantCulture, $"{finding.Path}:{finding.Line}:{finding.Column}: {finding.Severity}: {finding.Message}"), cancellationToken).ConfigureAwait(false);
            }

            await console.LineAsync(string.Create(CultureInfo.InvariantCulture, $"{names.Count} templates checked in {directory}: {errors} error(s), {warnings} warning(s)."), cancellationToken).ConfigureAwait(false);
        }

        return errors > 0 ? LoyaltyCli.ExitErrors : LoyaltyCli.ExitOk;
    }

    public static async Task<int> PreviewAsync(IReadOnlyList<string> args, CliConsole console, CancellationToken cancellationToken)
    {
        var line = CommandLine.Parse(args, PreviewOptions, PreviewFlags);
        var name = line.Positional(0, "the template's name: loyalty templates preview <name> --locale th-TH");
        line.NoMorePositionalsThan(1);
        var settings = ServiceSettings.From(line);
        if (settings.TemplatesPath is { } dir && !Directory.Exists(dir))
        {
            throw new CliUsageException($"templates folder '{dir}' does not exist.");
        }

        var configuration = LoyaltyServices.ReadConfiguration(settings.ConfigPath);
        await using var services = LoyaltyServices.Build(settings, configuration, console.Time);
        var renderer = services.GetRequiredService<IEmailTemplateRenderer>(); // throws TemplateValidationException: file, line, reason
        if (!renderer.Exists(name))
        {
            await console.ProgressAsync($"error: no template named '{name}'.", cancellationToken).ConfigureAwait(false);
            return LoyaltyCli.ExitErrors;
        }

        var shop = services.GetRequiredService<IOptions<LoyaltyShopOptions>>().Value;
        var locale = line.Get("--locale") ?? shop.DefaultLocale;
        var factory = services.GetRequiredService<TemplateModelFactory>();
        TemplateModel model;
        if (line.Get("--data") is { } dataPath)
        {
            using var document = await InputFiles.ReadDocumentAsync(dataPath, cancellationToken).ConfigureAwait(false);
            if (InputFiles.IsEvent(document))
            {
                model = ModelFor(services, factory, InputFiles.ToEvent(document, dataPath), line.Get("--locale"));
            }
            else
            {
                // Plain data: laid over the sample model, key by key (e.g. { "order": { ... } } replaces the sample order).
                var sample = SampleModel(services, factory, TriggersByTemplate(services, configuration).GetValueOrDefault(name), locale, console.Time);
                var root = new Dictionary<string, object?>(sample.Root, StringComparer.Ordinal);
                if (InputFiles.ToModelValue(document.RootElement) is not Dictionary<string, object?> data)
                {
                    throw new CliUsageException($"'{dataPath}' must hold an event (with \"$type\") or an object of model variables (customer, order, ...).");
                }

                foreach (var (key, value) in data)
                {
                    root[key] = value;
                }

                model = new TemplateModel(root, sample.TimeZone, sample.Locale);
            }
        }
        else
        {
            model = SampleModel(services, factory, TriggersByTemplate(services, configuration).GetValueOrDefault(name), locale, console.Time);
        }

        RenderedEmail rendered;
        try
        {
            rendered = renderer.Render(name, locale, model);
        }
        catch (TemplateRenderException ex)
        {
            await console.ProgressAsync($"error: template '{name}' ({locale}) does not render: {ex.Message}", cancellationToken).ConfigureAwait(false);
            return LoyaltyCli.ExitErrors;
        }

        var files = new List<string>();
        if (line.Get("--out") is { } outDirectory)
        {
            Directory.CreateDirectory(outDirectory);
            async Task WriteAsync(string fileName, string content)
            {
                var path = Path.Combine(outDirectory, fileName);
                await File.WriteAllTextAsync(path, content, cancellationToken).ConfigureAwait(false);
                files.Add(path);
            }

            await WriteAsync("subject.txt", rendered.Subject + "\n").ConfigureAwait(false);
            await WriteAsync("body.html", rendered.Html).ConfigureAwait(false);
            await WriteAsync("body.txt", rendered.Text + "\n").ConfigureAwait(false);
            if (rendered.Preheader is { } preheader)
            {
                await WriteAsync("preheader.txt", preheader + "\n").ConfigureAwait(false);
            }
        }

        if (line.Json)
        {
            await console.JsonAsync(new PreviewReport(name, locale, rendered.Subject, rendered.Html, rendered.Text, rendered.Preheader, files), cancellationToken).ConfigureAwait(false);
        }
        else if (files.Count > 0)
        {
            await console.LineAsync($"Subject: {rendered.Subject}", cancellationToken).ConfigureAwait(false);
            foreach (var file in files)
            {
                await console.LineAsync($"wrote {file}", cancellationToken).ConfigureAwait(false);
            }
        }
        else
        {
            await console.LineAsync($"Subject: {rendered.Subject}", cancellationToken).ConfigureAwait(false);
            if (rendered.Preheader is { } preheader)
            {
                await console.LineAsync($"Preheader: {preheader}", cancellationToken).ConfigureAwait(false);
            }

            await console.LineAsync("----- HTML -----", cancellationToken).ConfigureAwait(false);
            await console.LineAsync(rendered.Html, cancellationToken).ConfigureAwait(false);
            await console.LineAsync("----- text -----", cancellationToken).ConfigureAwait(false);
            await console.LineAsync(rendered.Text, cancellationToken).ConfigureAwait(false);
        }

        return LoyaltyCli.ExitOk;
    }

    /// <summary>The model for an event, as the dispatcher builds it: the model factory plus sample links.</summary>
    internal static TemplateModel ModelFor(IServiceProvider services, TemplateModelFactory factory, LoyaltyEvent triggerEvent, string? locale, LoyaltyCustomer? known = null)
    {
        var snapshot = triggerEvent.Customer;
        var customer = known ?? (snapshot is null
            ? null
            : new LoyaltyCustomer
            {
                CustomerId = triggerEvent.CustomerId,
                Email = snapshot.Email,
                NormalizedEmail = snapshot.Email.ToUpperInvariant(),
                FirstName = snapshot.FirstName,
                LastName = snapshot.LastName,
                Locale = snapshot.Locale,
                TimeZone = snapshot.TimeZone,
                OrderCount = triggerEvent is OrderPlaced ? 1 : 0,
            });
        if (customer is not null && locale is not null)
        {
            customer.Locale = locale;
        }

        return factory.Create(triggerEvent, customer, SampleLinks(services));
    }

    /// <summary>The built-in sample model for a template: a sample of the event its flow is triggered by.</summary>
    internal static TemplateModel SampleModel(IServiceProvider services, TemplateModelFactory factory, string? trigger, string locale, TimeProvider time)
    {
        var sample = SampleData.EventFor(trigger ?? EventTypes.OrderPlaced, locale, time.GetUtcNow());
        return ModelFor(services, factory, sample, locale);
    }

    /// <summary>The links the dispatcher adds (<c>links.shop</c>, <c>links.unsubscribe</c>, <c>links.preferences</c>), with a preview token.</summary>
    private static Dictionary<string, object?> SampleLinks(IServiceProvider services)
    {
        var shop = services.GetRequiredService<IOptions<LoyaltyShopOptions>>().Value;
        var email = services.GetRequiredService<IOptions<EmailOptions>>().Value;
        return new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            ["shop"] = shop.BaseUrl.AbsoluteUri,
            ["unsubscribe"] = new Uri(shop.BaseUrl, $"{email.UnsubscribePath.Trim('/')}/preview-token").AbsoluteUri,
            ["preferences"] = new Uri(shop.BaseUrl, $"{email.PreferencesPath.Trim('/')}/preview-token").AbsoluteUri,
        };
    }

    /// <summary>Template name → the trigger of a flow that sends it (code flows and configuration flows), for sample data.</summary>
    private static Dictionary<string, string> TriggersByTemplate(IServiceProvider services, IConfiguration configuration)
    {
        var result = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var flow in FlowCommands.ReadFlows(services, configuration, problems: []))
        {
            foreach (var step in flow.Steps)
            {
                if (step.Action is SendTemplateAction send)
                {
                    result.TryAdd(send.TemplateName, flow.Trigger);
                }
            }
        }

        result.TryAdd("service-recovery-apology", EventTypes.ServiceIssueDetected);
        result.TryAdd("milestone-congratulation", EventTypes.MilestoneReached);
        return result;
    }

    /// <summary>The template folders of <paramref name="directory"/> (not <c>_layouts</c>, <c>_partials</c>).</summary>
    private static List<string> TemplateNames(string directory) =>
        Directory.EnumerateDirectories(directory)
            .Select(Path.GetFileName)
            .OfType<string>()
            .Where(n => !n.StartsWith('_') && !n.StartsWith('.'))
            .Order(StringComparer.Ordinal)
            .ToList();

    private static IEnumerable<string> LocalesOf(string directory, string name) =>
        Directory.EnumerateDirectories(Path.Combine(directory, name))
            .Select(Path.GetFileName)
            .OfType<string>()
            .Order(StringComparer.Ordinal);

    private static string DisplayPath(string directory, string file) =>
        file.StartsWith("embedded:", StringComparison.Ordinal) || Path.IsPathRooted(file) ? file : Path.Combine(directory, file).Replace('\\', '/');
}
