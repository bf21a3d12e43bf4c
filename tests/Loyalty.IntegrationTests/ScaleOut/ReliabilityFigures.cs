using System.Globalization;
using Loyalty.IntegrationTests.Infrastructure;
using Loyalty.Stores;
using Xunit.Abstractions;

namespace Loyalty.IntegrationTests.ScaleOut;

/// <summary>
/// The measured figures of one reliability run: written to the test output and, when LOYALTY_RELIABILITY_RESULTS
/// names a file, appended to it as a Markdown table row (scripts/reliability.sh collects them for docs/reliability.md).
/// </summary>
/// <param name="Test">The test.</param>
/// <param name="Injected">What was injected.</param>
/// <param name="Scheduled">Steps scheduled (rows).</param>
/// <param name="Sent">Rows in state Sent at the end.</param>
/// <param name="Delivered">Messages stored by the SMTP server (every arrival).</param>
/// <param name="Distinct">Distinct Message-IDs among them.</param>
/// <param name="Lost">Deliverable rows whose Message-ID never arrived.</param>
/// <param name="Refused">Sends refused by the server for good (550) or skipped because of it.</param>
/// <param name="Elapsed">Wall time of the dispatch.</param>
public sealed record ReliabilityFigures(string Test, string Injected, int Scheduled, int Sent, int Delivered, int Distinct, int Lost, int Refused, TimeSpan Elapsed)
{
    public const string EnvironmentVariable = "LOYALTY_RELIABILITY_RESULTS";

    public const string Header =
        "| test | injected | scheduled | sent (rows) | delivered at server | distinct Message-IDs | duplicates | lost | refused | dispatch time |";

    public int Duplicates => Delivered - Distinct;

    public string ToMarkdownRow() => string.Create(CultureInfo.InvariantCulture,
        $"| {Test} | {Injected} | {Scheduled} | {Sent} | {Delivered} | {Distinct} | {Duplicates} | {Lost} | {Refused} | {Elapsed.TotalSeconds:0.0} s |");

    public void Report(ITestOutputHelper output, string? detail = null)
    {
        ArgumentNullException.ThrowIfNull(output);
        output.WriteLine(Header);
        output.WriteLine(ToMarkdownRow());
        if (detail is not null)
        {
            output.WriteLine(detail);
        }

        if (Environment.GetEnvironmentVariable(EnvironmentVariable) is { Length: > 0 } path)
        {
            File.AppendAllText(path, ToMarkdownRow() + Environment.NewLine);
            if (detail is not null)
            {
                File.AppendAllText(path + ".details", $"{Test}: {detail}{Environment.NewLine}");
            }
        }
    }

    /// <summary>
    /// Counts the rows in <paramref name="database"/> and the messages at <paramref name="smtp"/>; a step of
    /// <paramref name="deliverable"/> whose Message-ID never arrived counts as lost.
    /// </summary>
    public static async Task<ReliabilityFigures> MeasureAsync(ReliabilityDatabase database, SmtpServerFixture smtp, IReadOnlyCollection<Guid> deliverable, string test, string injected, TimeSpan elapsed)
    {
        ArgumentNullException.ThrowIfNull(database);
        ArgumentNullException.ThrowIfNull(smtp);
        ArgumentNullException.ThrowIfNull(deliverable);
        var census = await MaildirCensus.ReadAsync(smtp.MaildirPath);
        var steps = await database.StepsAsync();
        return new ReliabilityFigures(
            test,
            injected,
            steps.Count,
            steps.Count(s => s.State == StepState.Sent),
            census.Total,
            census.Distinct,
            deliverable.Count(id => !census.ByMessageId.ContainsKey(ReliabilityDatabase.MessageIdOf(id))),
            steps.Count(s => s.State is StepState.Failed or StepState.Skipped),
            elapsed);
    }

    /// <summary>A count from an environment variable (the full runs of scripts/reliability.sh), or the CI default.</summary>
    public static int Count(string variable, int ciDefault) =>
        Environment.GetEnvironmentVariable(variable) is { Length: > 0 } text ? int.Parse(text, CultureInfo.InvariantCulture) : ciDefault;
}
