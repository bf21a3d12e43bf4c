using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using Loyalty.Email.Flows;
using Loyalty.Email.Templates;

namespace Loyalty.Cli;

/// <summary>
/// The <c>loyalty</c> command: checks, previews and dry-runs templates and flows with the same code as the Loyalty
/// packages. <see cref="RunAsync(IReadOnlyList{string}, TextWriter, TextWriter, TimeProvider, CancellationToken)"/> is
/// what the executable calls; tests and other tools may call it in-process.
/// </summary>
public static class LoyaltyCli
{
    /// <summary>Everything went well.</summary>
    public const int ExitOk = 0;

    /// <summary>The templates or flows have errors.</summary>
    public const int ExitErrors = 1;

    /// <summary>Wrong usage, or an input file is missing or unreadable.</summary>
    public const int ExitUsage = 2;

    internal static readonly JsonSerializerOptions JsonOutput = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    /// <summary>The usage text printed by <c>loyalty --help</c>.</summary>
    public static string Usage { get; } = """
        loyalty: check and preview Loyalty e-mail templates and flows with the same code as the packages.

        Usage:
          loyalty templates validate <dir> [--config appsettings.json] [--no-defaults] [--email-only] [--json]
          loyalty templates preview <name> [--locale th-TH] [--data order.json] [--templates dir] [--config appsettings.json]
                                           [--out dir] [--json]
          loyalty flows list     --config appsettings.json [--templates dir] [--json]
          loyalty flows check    --config appsettings.json [--templates dir] [--json]
          loyalty flows dry-run  --config appsettings.json --event event.json [--customer customer.json] [--templates dir] [--json]

        Options:
          --json          machine-readable output on stdout (progress still goes to stderr)
          --config        an appsettings file; its "Loyalty" section is read as a host reads it
          --templates     a templates folder (overrides Loyalty:Email:TemplatesPath)
          --no-defaults   leave out the templates shipped in the packages
          --email-only    as a host without AddReferrals(): no referral and review templates or flows

        Exit codes: 0 all well, 1 errors found, 2 wrong usage or unreadable input.
        """;

    /// <summary>Runs one command with the system clock.</summary>
    /// <param name="args">The command line, e.g. <c>["templates", "validate", "./templates"]</c>.</param>
    /// <param name="stdout">Where results go (human text, or JSON with <c>--json</c>).</param>
    /// <param name="stderr">Where progress, warnings about usage and errors go.</param>
    /// <param name="cancellationToken">Stops a long run.</param>
    /// <returns>The exit code: <see cref="ExitOk"/>, <see cref="ExitErrors"/> or <see cref="ExitUsage"/>.</returns>
    public static Task<int> RunAsync(IReadOnlyList<string> args, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken = default)
        => RunAsync(args, stdout, stderr, TimeProvider.System, cancellationToken);

    /// <summary>Runs one command.</summary>
    /// <param name="args">The command line, e.g. <c>["templates", "validate", "./templates"]</c>.</param>
    /// <param name="stdout">Where results go (human text, or JSON with <c>--json</c>).</param>
    /// <param name="stderr">Where progress, warnings about usage and errors go.</param>
    /// <param name="time">The clock: sample data and dry runs take "now" from it.</param>
    /// <param name="cancellationToken">Stops a long run.</param>
    /// <returns>The exit code: <see cref="ExitOk"/>, <see cref="ExitErrors"/> or <see cref="ExitUsage"/>.</returns>
    public static async Task<int> RunAsync(IReadOnlyList<string> args, TextWriter stdout, TextWriter stderr, TimeProvider time, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(stdout);
        ArgumentNullException.ThrowIfNull(stderr);
        ArgumentNullException.ThrowIfNull(time);
        var console = new CliConsole(stdout, stderr, time);
        try
        {
            if (args.Count == 0 || args[0] is "--help" or "-h" or "help")
            {
                await stdout.WriteLineAsync(Usage.AsMemory(), cancellationToken).ConfigureAwait(false);
                return args.Count == 0 ? ExitUsage : ExitOk;
            }

            var rest = args.Skip(2).ToList();
            if (rest.Contains("--help") || rest.Contains("-h"))
            {
                await stdout.WriteLineAsync(Usage.AsMemory(), cancellationToken).ConfigureAwait(false);
                return ExitOk;
            }

            var command = args.Count >= 2 ? $"{args[0]} {args[1]}" : args[0];
            return command switch
            {
                "templates validate" => await TemplateCommands.ValidateAsync(rest, console, cancellationToken).ConfigureAwait(false),
                "templates preview" => await TemplateCommands.PreviewAsync(rest, console, cancellationToken).ConfigureAwait(false),
                "flows list" => await FlowCommands.ListAsync(rest, console, cancellationToken).ConfigureAwait(false),
                "flows check" => await FlowCommands.CheckAsync(rest, console, cancellationToken).ConfigureAwait(false),
                "flows dry-run" => await FlowCommands.DryRunAsync(rest, console, cancellationToken).ConfigureAwait(false),
                _ => throw new CliUsageException($"unknown command '{command}'. Run 'loyalty --help'."),
            };
        }
        catch (CliUsageException ex)
        {
            await stderr.WriteLineAsync(("error: " + ex.Message).AsMemory(), cancellationToken).ConfigureAwait(false);
            return ExitUsage;
        }
        catch (TemplateValidationException ex)
        {
            // Templates that stop a host (seen by preview and the flow commands): file, line and reason.
            foreach (var diagnostic in ex.Diagnostics)
            {
                await stderr.WriteLineAsync(diagnostic.ToString().AsMemory(), cancellationToken).ConfigureAwait(false);
            }

            return ExitErrors;
        }
        catch (FlowValidationException ex)
        {
            await stderr.WriteLineAsync(ex.Message.AsMemory(), cancellationToken).ConfigureAwait(false);
            return ExitErrors;
        }
    }
}

/// <summary>The two streams of a run, the clock, and JSON output.</summary>
internal sealed class CliConsole(TextWriter stdout, TextWriter stderr, TimeProvider time)
{
    public TextWriter Out { get; } = stdout;

    public TextWriter Error { get; } = stderr;

    public TimeProvider Time { get; } = time;

    public Task LineAsync(string text, CancellationToken cancellationToken) => Out.WriteLineAsync(text.AsMemory(), cancellationToken);

    public Task ProgressAsync(string text, CancellationToken cancellationToken) => Error.WriteLineAsync(text.AsMemory(), cancellationToken);

    public Task JsonAsync<T>(T value, CancellationToken cancellationToken) =>
        Out.WriteLineAsync(JsonSerializer.Serialize(value, LoyaltyCli.JsonOutput).AsMemory(), cancellationToken);
}
