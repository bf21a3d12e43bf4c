using System.Text.Json;
using Loyalty.Email.Composition;
using Loyalty.Email.Templates;
using Loyalty.Email.Scheduling;
using Loyalty.EntityFrameworkCore;
using Loyalty.Events;
using Loyalty.IntegrationTests.Hosting;
using Loyalty.IntegrationTests.Infrastructure;
using Loyalty.Publishing;
using Loyalty.Stores;
using Loyalty.Validation;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Time.Testing;
using MimeKit;
using Xunit.Abstractions;

namespace Loyalty.IntegrationTests.BadInput;

/// <summary>
/// Every string of the Big List of Naughty Strings in every event text field, through the real door (intake, EF Core
/// SQLite store), the flow engine, the renderer and the real SMTP server: each event is refused with
/// <see cref="EventValidationException"/> leaving nothing stored, or accepted and delivered as valid MIME with the
/// value HTML-encoded and no injected header. No other exception escapes.
/// </summary>
[Collection("smtp")]
public sealed class NaughtyStringsEndToEndTests(SmtpServerFixture smtp, ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly DateTimeOffset Now = new(2026, 11, 22, 10, 0, 0, TimeSpan.Zero);
    private readonly string _dir = Directory.CreateTempSubdirectory("loyalty-naughty-").FullName;
    private readonly FakeTimeProvider _clock = new(Now);

    /// <summary>What a naughty string goes into: the fields one event carries it in.</summary>
    private enum Kind { Names, Ids, Review, CustomValue, CustomName }

    public Task InitializeAsync()
    {
        smtp.Clear();
        void Template(string name, string subject, string html)
        {
            var folder = Path.Combine(_dir, "templates", name, "default");
            Directory.CreateDirectory(folder);
            File.WriteAllText(Path.Combine(folder, "subject.liquid"), subject);
            File.WriteAllText(Path.Combine(folder, "html.liquid"), html);
            File.WriteAllText(Path.Combine(_dir, "templates", name, "template.json"), "{ \"category\": \"transactional\" }");
        }

        Template("naughty-order", "Hi {{ customer.first_name }} {{ customer.last_name }}: {{ order.lines[0].product_name }} ({{ order.id }})",
            "<p id=\"f\">{{ customer.first_name }}</p><p id=\"l\">{{ customer.last_name }}</p><p id=\"p\">{{ order.lines[0].product_name }}</p>"
            + "<p id=\"s\">{{ order.lines[0].sku }}</p><p id=\"o\">{{ order.id }}</p>");
        Template("naughty-review", "Thanks for reviewing {{ review.product_name }}",
            "<p id=\"t\">{{ review.text }}</p><p id=\"p\">{{ review.product_name }}</p>");
        Template("naughty-custom", "Note: {{ event.properties.note }}",
            "<p id=\"n\">{{ event.properties.note }}</p><p id=\"d\">{{ event.properties.deep.list[0] }}</p>");
        return Task.CompletedTask;
    }

    public Task DisposeAsync()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_dir, recursive: true);
        return Task.CompletedTask;
    }

    private TestHostSettings Settings() => new()
    {
        Clock = _clock,
        Smtp = smtp,
        SqlitePath = Path.Combine(_dir, "shop.db"),
        TemplatesPath = Path.Combine(_dir, "templates"),
        Configuration = { ["Loyalty:Email:BatchSize"] = "500", ["Loyalty:Email:Concurrency"] = "4" },
    };

    private static string Address(Kind kind, int i) => $"{kind.ToString().ToLowerInvariant()}-{i}@shop.example";

    private static CustomerSnapshot Customer(Kind kind, int i, string? first = "Mei", string? last = "Lin") =>
        new() { Email = Address(kind, i), FirstName = first, LastName = last, Locale = "en", TimeZone = "Asia/Taipei" };

    private static LoyaltyEvent Event(Kind kind, int i, string s)
    {
        var id = $"{kind}-{i}";
        switch (kind)
        {
            case Kind.Names:
                return new OrderPlaced
                {
                    EventId = "evt-" + id, OccurredAt = Now, CustomerId = "cust-" + id, Customer = Customer(kind, i, s, s),
                    OrderId = "order-" + id, Currency = "TWD", Total = 10m,
                    Lines = [new OrderLine { Sku = "sku-" + i, ProductName = s, Quantity = 1, UnitPrice = 10m }],
                };
            case Kind.Ids:
                return new OrderPlaced
                {
                    EventId = "evt-" + id, OccurredAt = Now, CustomerId = "cust-" + id, Customer = Customer(kind, i),
                    OrderId = s, Currency = "TWD", Total = 10m,
                    Lines = [new OrderLine { Sku = s, ProductName = "Kit", Quantity = 1, UnitPrice = 10m }],
                };
            case Kind.Review:
                return new ReviewSubmitted
                {
                    EventId = "evt-" + id, OccurredAt = Now, CustomerId = "cust-" + id, Customer = Customer(kind, i),
                    Sku = "sku-" + i, Rating = 5, Text = s, ProductName = s,
                };
            default:
                var properties = kind == Kind.CustomValue
                    ? new Dictionary<string, object> { ["note"] = s, ["deep"] = new Dictionary<string, object> { ["list"] = new[] { s } } }
                    : new Dictionary<string, object> { [s.Length == 0 || s == "note" ? "empty" : s] = "v", ["note"] = "plain" };
                return new CustomEvent
                {
                    EventId = "evt-" + id, OccurredAt = Now, CustomerId = "cust-" + id, Customer = Customer(kind, i), Name = "naughty",
                    Properties = JsonSerializer.SerializeToElement(properties),
                };
        }
    }

    /// <summary>What the HTML body must hold for an accepted event: each field's value, HTML-encoded.</summary>
    private static IEnumerable<string> ExpectedHtml(Kind kind, string s)
    {
        var e = WireCheck.HtmlEncoded(s);
        return kind switch
        {
            Kind.Names => [$"<p id=\"f\">{e}</p>", $"<p id=\"l\">{e}</p>", $"<p id=\"p\">{e}</p>"],
            Kind.Ids => [$"<p id=\"s\">{e}</p>", $"<p id=\"o\">{e}</p>"],
            Kind.Review => [$"<p id=\"t\">{e}</p>", $"<p id=\"p\">{e}</p>"],
            Kind.CustomValue => [$"<p id=\"n\">{e}</p>", $"<p id=\"d\">{e}</p>"],
            _ => ["<p id=\"n\">plain</p>"],
        };
    }

    /// <summary>
    /// Which accepted events go through the real SMTP server: every fourth string, every string with a control or
    /// line-separator character, and the plain baseline. The others are rendered and composed in-process by the same
    /// host's renderer and composer and checked the same way (the corpus stays well under a minute).
    /// </summary>
    private static bool ThroughSmtp(int i, string s) => i < 0 || i % 4 == 0 || s.Any(c => char.IsControl(c) || c is '\u2028' or '\u2029');

    // What SMTP puts on the wire: CRLF line endings (the default FormatOptions use the platform's LF).
    private static readonly FormatOptions Dos = new() { NewLineFormat = NewLineFormat.Dos };

    private static string TemplateOf(Kind kind) => kind switch
    {
        Kind.Names or Kind.Ids => "naughty-order",
        Kind.Review => "naughty-review",
        _ => "naughty-custom",
    };

    [Fact]
    public async Task Every_naughty_string_in_every_text_field_is_refused_at_the_door_or_delivered_encoded_as_valid_mime_without_injected_headers()
    {
        var strings = WireCheck.NaughtyStrings();
        var sampled = new HashSet<string>(StringComparer.Ordinal);
        using var host = await LoyaltyTestHost.StartAsync(Settings() with
        {
            Email = email => email
                .AddFlow("naughty-order", f => f.On(EventTypes.OrderPlaced).When("smtp-sample", c => sampled.Contains(c.TriggerEvent.EventId)).Transactional().Send("naughty-order"))
                .AddFlow("naughty-review", f => f.On(EventTypes.ReviewSubmitted).When("smtp-sample", c => sampled.Contains(c.TriggerEvent.EventId)).Transactional().Send("naughty-review"))
                .AddFlow("naughty-custom", f => f.On("naughty").When("smtp-sample", c => sampled.Contains(c.TriggerEvent.EventId)).Transactional().Send("naughty-custom")),
        });
        var accepted = new Dictionary<string, (Kind Kind, string Value, LoyaltyEvent Event)>(StringComparer.Ordinal);
        var refused = new List<(Kind Kind, int Index, EventValidationException Error)>();
        var escaped = new List<string>();
        var started = System.Diagnostics.Stopwatch.StartNew();

        // A plain event first: its message gives the header set every other message must have.
        var inputs = new List<(Kind Kind, int Index, string Value)> { (Kind.CustomValue, -1, "plain") };
        inputs.AddRange(strings.SelectMany((s, i) => Enum.GetValues<Kind>().Select(kind => (kind, i, s))));
        foreach (var (kind, i, value) in inputs)
        {
            var e = Event(kind, i, value);
            if (ThroughSmtp(i, value))
            {
                sampled.Add(e.EventId);
            }

            try
            {
                (await PublishAsync(host, e)).Accepted.Should().BeTrue();
                accepted[Address(kind, i)] = (kind, value, e);
            }
            catch (EventValidationException ex)
            {
                refused.Add((kind, i, ex));
            }
            catch (Exception ex)
            {
                escaped.Add($"{kind} #{i}: {ex.GetType().Name}: {ex.Message}");
            }
        }

        var published = started.Elapsed;
        escaped.Should().BeEmpty("only EventValidationException may leave the door");
        var viaSmtp = accepted.Values.Count(a => sampled.Contains(a.Event.EventId));

        // Nothing of a refused event was stored: no processed event, no customer, no scheduled step.
        await using (var scope = host.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<LoyaltyDbContext>();
            var refusedCustomers = refused.Select(r => $"cust-{r.Kind}-{r.Index}").ToHashSet(StringComparer.Ordinal);
            var refusedEvents = refused.Select(r => $"evt-{r.Kind}-{r.Index}").ToHashSet(StringComparer.Ordinal);
            var customers = await db.Customers.Select(c => c.CustomerId).ToListAsync();
            var events = await db.ProcessedEvents.Where(e => e.EventType != EventTypes.MilestoneReached).Select(e => e.EventId).ToListAsync();
            var steps = await db.ScheduledSteps.Select(s => s.CustomerId).ToListAsync();
            customers.Where(refusedCustomers.Contains).Should().BeEmpty();
            events.Where(refusedEvents.Contains).Should().BeEmpty();
            steps.Where(refusedCustomers.Contains).Should().BeEmpty();
            customers.Should().HaveCount(accepted.Count);
            events.Should().HaveCount(accepted.Count);
            steps.Should().HaveCount(viaSmtp);
        }

        // One dispatch round sends the sample through the real SMTP server.
        await host.Services.GetRequiredService<StepDispatcher>().DispatchDueAsync();
        await using (var scope = host.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<LoyaltyDbContext>();
            var notSent = await db.ScheduledSteps.Where(s => s.State != StepState.Sent).Select(s => s.CustomerId + ": " + s.State + " " + s.Reason).ToListAsync();
            notSent.Should().BeEmpty("every accepted event renders and sends");
        }

        var files = WireCheck.MessageFiles(smtp.MaildirPath);
        files.Should().HaveCount(viaSmtp);
        var wire = files.Select(f => (Raw: File.ReadAllBytes(f), Smtp: true)).ToList();
        var baseline = wire.Single(m => MimeMessage.Load(new MemoryStream(m.Raw)).To.Mailboxes.Single().Address == Address(Kind.CustomValue, -1));
        var expectedHeaders = WireCheck.HeaderNames(baseline.Raw);
        expectedHeaders.Should().Equal("x-envelope-from", "x-envelope-to", "from", "date", "subject", "message-id", "to", "mime-version", "content-type");

        // The rest: rendered and composed in-process by the host's own renderer, model factory and composer.
        var renderer = host.Services.GetRequiredService<IEmailTemplateRenderer>();
        var models = host.Services.GetRequiredService<TemplateModelFactory>();
        await using (var scope = host.Services.CreateAsyncScope())
        {
            var store = scope.ServiceProvider.GetRequiredService<ICustomerStore>();
            foreach (var (kind, _, e) in accepted.Values.Where(a => !sampled.Contains(a.Event.EventId)))
            {
                var customer = await store.FindByIdAsync(e.CustomerId, CancellationToken.None);
                var content = renderer.Render(TemplateOf(kind), customer!.Locale ?? "en", models.Create(e, customer));
                var name = string.Join(' ', new[] { customer.FirstName, customer.LastName }.Where(n => !string.IsNullOrWhiteSpace(n)));
                var message = EmailMessageComposer.Compose(content, new Envelope("Tea & Kettle <care@shop.example>", null, customer.Email, name, $"{Guid.NewGuid():N}@shop.example", null, Now));
                using var stream = new MemoryStream();
                await message.WriteToAsync(Dos, stream);
                wire.Add((stream.ToArray(), false));
            }
        }

        var bad = new List<string>();
        var delivered = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (raw, viaServer) in wire)
        {
            MimeMessage message;
            try
            {
                message = MimeMessage.Load(new MemoryStream(raw));
            }
            catch (FormatException ex)
            {
                bad.Add($"not valid MIME: {ex.Message}");
                continue;
            }

            var to = message.To.Mailboxes.Single().Address;
            var (kind, value, _) = accepted[to];
            delivered.Add(to);
            var where = $"{kind} {JsonSerializer.Serialize(value)}";
            bad.AddRange(WireCheck.HeaderProblems(raw).Select(p => $"{where}: {p}"));
            if (!WireCheck.HeaderNames(raw).SequenceEqual(viaServer ? expectedHeaders : expectedHeaders.Skip(2)))
            {
                bad.Add($"{where}: headers {string.Join(",", WireCheck.HeaderNames(raw))}");
            }

            if (message.Headers.Any(h => WireCheck.BreaksALine(h.Value)))
            {
                bad.Add($"{where}: a line break or NUL in a decoded header value");
            }

            if ((message.Subject ?? "").Any(char.IsControl) || (message.To.Mailboxes.Single().Name ?? "").Any(char.IsControl))
            {
                bad.Add($"{where}: a control character in the subject or the display name");
            }

            var html = WireCheck.Lf(message.HtmlBody ?? "");
            foreach (var expected in ExpectedHtml(kind, value))
            {
                if (!html.Contains(WireCheck.Lf(expected), StringComparison.Ordinal))
                {
                    bad.Add($"{where}: HTML body lacks {expected}");
                }
            }

            if (message.TextBody is null)
            {
                bad.Add($"{where}: no text part");
            }
        }

        bad.Should().BeEmpty();
        delivered.Should().HaveCount(accepted.Count);

        output.WriteLine("| field group | inputs | refused at the door | accepted, rendered encoded (via SMTP) | escaped exceptions |");
        output.WriteLine("|---|---:|---:|---:|---:|");
        foreach (var kind in Enum.GetValues<Kind>())
        {
            var mine = accepted.Values.Where(a => a.Kind == kind && a.Event.EventId != $"evt-{Kind.CustomValue}--1").ToList();
            output.WriteLine($"| {kind} | {strings.Count} | {refused.Count(x => x.Kind == kind)} | {mine.Count} ({mine.Count(a => sampled.Contains(a.Event.EventId))}) | 0 |");
        }

        output.WriteLine($"| total | {strings.Count * 5} | {refused.Count} | {accepted.Count - 1} ({viaSmtp - 1}) | {escaped.Count} |");
        output.WriteLine($"refusals by field: {string.Join(", ", refused.SelectMany(r => r.Error.Problems.Select(p => p.Field)).GroupBy(f => f.StartsWith("Properties.", StringComparison.Ordinal) ? "Properties.<name>" : f).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => $"{g.Key} {g.Count()}"))}");
        output.WriteLine($"published in {published.TotalSeconds:0.0} s, sent, rendered and checked in {(started.Elapsed - published).TotalSeconds:0.0} s");
    }

    private static async Task<PublishResult> PublishAsync(IHost host, LoyaltyEvent e)
    {
        await using var scope = host.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<ILoyaltyPublisher>().PublishAsync(e);
    }
}
