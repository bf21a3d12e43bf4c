using Loyalty.Email;
using Loyalty.Email.Scheduling;
using Loyalty.EntityFrameworkCore;
using Loyalty.Events;
using Loyalty.IntegrationTests.Hosting;
using Loyalty.IntegrationTests.Infrastructure;
using Loyalty.Publishing;
using Loyalty.Stores;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Time.Testing;

namespace Loyalty.IntegrationTests.EmailEngine;

/// <summary>
/// What every acceptance test of the e-mail engine needs: a temp folder (SQLite file, templates), a fake clock, the
/// real SMTP server, and short ways to publish, dispatch and read the step rows. Dispatch is called by the test
/// (one "dispatcher round" = one <see cref="StepDispatcher.DispatchDueAsync"/>); only the SMTP server is polled.
/// </summary>
public sealed class EngineHarness : IDisposable
{
    public static readonly TimeSpan MailTimeout = TimeSpan.FromSeconds(20);

    public EngineHarness(SmtpServerFixture smtp, DateTimeOffset start)
    {
        Smtp = smtp;
        Clock = new FakeTimeProvider(start);
        Directory.CreateDirectory(TemplatesPath);
    }

    public SmtpServerFixture Smtp { get; }

    public FakeTimeProvider Clock { get; }

    public string Root { get; } = Directory.CreateTempSubdirectory("loyalty-engine-").FullName;

    public string TemplatesPath => Path.Combine(Root, "templates");

    public string SqlitePath => Path.Combine(Root, "shop.db");

    /// <summary>Writes a template file under the templates folder, e.g. <c>promo/default/html.liquid</c>.</summary>
    public EngineHarness Template(string relativePath, string text)
    {
        var path = Path.Combine(TemplatesPath, relativePath);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
        return this;
    }

    /// <summary>A one-locale template with the shipped layout (footer with unsubscribe link and postal address).</summary>
    public EngineHarness SimpleTemplate(string name, string category, string subject, string html)
        => Template($"{name}/template.json", $$"""{ "category": "{{category}}", "layout": "default" }""")
            .Template($"{name}/default/subject.liquid", subject)
            .Template($"{name}/default/html.liquid", html);

    public TestHostSettings Settings(Action<LoyaltyEmailBuilder> email, IDictionary<string, string?>? configuration = null, Action<IServiceCollection>? services = null, SmtpServerFixture? smtp = null) => new()
    {
        Clock = Clock,
        Smtp = smtp ?? Smtp,
        SqlitePath = SqlitePath,
        TemplatesPath = TemplatesPath,
        Email = email,
        Services = services,
        Configuration = configuration ?? new Dictionary<string, string?>(),
    };

    public static async Task<PublishResult> PublishAsync(IHost host, LoyaltyEvent e)
    {
        await using var scope = host.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<ILoyaltyPublisher>().PublishAsync(e);
    }

    /// <summary>One dispatcher round: claims and runs every due step.</summary>
    public static Task<int> DispatchAsync(IHost host) => host.Services.GetRequiredService<StepDispatcher>().DispatchDueAsync();

    public static async Task<List<ScheduledStep>> StepsAsync(IHost host, string? flowId = null)
    {
        await using var scope = host.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<LoyaltyDbContext>();
        var steps = await db.ScheduledSteps.AsNoTracking().ToListAsync();
        return [.. steps.Where(s => flowId is null || s.FlowId == flowId).OrderBy(s => s.TriggerOccurredAt).ThenBy(s => s.StepIndex).ThenBy(s => s.Id)];
    }

    /// <summary>The raw bytes of every message the server stored, in arrival order.</summary>
    public static IReadOnlyList<byte[]> RawMessages(SmtpServerFixture smtp)
        => [.. Directory.GetFiles(smtp.MaildirPath, "*.eml").Order(StringComparer.Ordinal).Select(File.ReadAllBytes)];

    public static CustomerSnapshot Customer(string email, string firstName = "Mei", string locale = "en", string zone = "Asia/Taipei", bool marketing = true) => new()
    {
        Email = email,
        FirstName = firstName,
        Locale = locale,
        TimeZone = zone,
        MarketingConsent = marketing ? new ConsentChange(true, "checkout-checkbox", new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero)) : null,
    };

    public static CustomEvent Custom(string name, string eventId, string customerId, DateTimeOffset at, CustomerSnapshot? customer = null) => new()
    {
        EventId = eventId,
        Name = name,
        CustomerId = customerId,
        OccurredAt = at,
        Customer = customer,
    };

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
