using System.Text.Json;
using Loyalty.Email.Composition;
using Loyalty.Email.Delivery;
using Loyalty.Email.Scheduling;
using Loyalty.Email.Templates;
using Loyalty.EntityFrameworkCore;
using Loyalty.Events;
using Loyalty.IntegrationTests.Hosting;
using Loyalty.IntegrationTests.Infrastructure;
using Loyalty.Publishing;
using Loyalty.Validation;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Time.Testing;
using MimeKit;

namespace Loyalty.IntegrationTests.BadInput;

/// <summary>
/// CR/LF, bare LF, bare CR and NUL in subjects, display names and custom headers never reach the wire: composed and
/// sent through the real SMTP server, the raw bytes it stored are inspected. Addresses that would smuggle an SMTP
/// command are refused at the door.
/// </summary>
[Collection("smtp")]
public sealed class HeaderInjectionOnTheWireTests(SmtpServerFixture smtp, Xunit.Abstractions.ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly DateTimeOffset Now = new(2026, 11, 22, 10, 0, 0, TimeSpan.Zero);
    private static readonly string[] Allowed = ["x-envelope-from", "x-envelope-to", "from", "date", "subject", "message-id", "to", "mime-version", "content-type", "list-unsubscribe", "list-unsubscribe-post", "x-custom"];
    private readonly string _dir = Directory.CreateTempSubdirectory("loyalty-crlf-").FullName;
    private readonly FakeTimeProvider _clock = new(Now);

    public static TheoryData<string> Breakers() => new() { "\r\n", "\n", "\r", "\0", "\r\n\r\n", "\r\n ", "\n\t", "\u2028", "\u0085", "\r\0\n" };

    public Task InitializeAsync()
    {
        smtp.Clear();
        var folder = Path.Combine(_dir, "templates", "note", "default");
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, "subject.liquid"), "Note: {{ event.properties.note }}");
        File.WriteAllText(Path.Combine(folder, "html.liquid"), "<p>{{ event.properties.note }}</p>");
        File.WriteAllText(Path.Combine(_dir, "templates", "note", "template.json"), "{ \"category\": \"transactional\" }");
        return Task.CompletedTask;
    }

    public Task DisposeAsync()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_dir, recursive: true);
        return Task.CompletedTask;
    }

    private Task<IHost> StartAsync() => LoyaltyTestHost.StartAsync(new TestHostSettings
    {
        Clock = _clock,
        Smtp = smtp,
        SqlitePath = Path.Combine(_dir, "shop.db"),
        TemplatesPath = Path.Combine(_dir, "templates"),
        Email = email => email.AddFlow("note", f => f.On("note").Transactional().Send("note")),
    });

    private void AssertClean(byte[] raw, string breaker)
    {
        var shown = JsonSerializer.Serialize(breaker);
        var header = System.Text.Encoding.UTF8.GetString(raw, 0, raw.AsSpan().IndexOf("\r\n\r\n"u8));
        output.WriteLine($"{shown}: {JsonSerializer.Serialize(header)}");
        WireCheck.HeaderProblems(raw).Should().BeEmpty(shown);
        WireCheck.HeaderNames(raw).Should().OnlyContain(n => Allowed.Contains(n), shown).And.OnlyHaveUniqueItems(shown);
        var message = MimeMessage.Load(new MemoryStream(raw));
        (message.Headers["X-Envelope-To"] ?? "").Should().NotContain("evil", shown);
        message.Headers.Where(h => h.Id != HeaderId.Unknown && WireCheck.BreaksALine(h.Value)).Should().BeEmpty(shown);
        message.Subject.Should().NotContainAny(["\r", "\n", "\0", "\u0085", "\u2028"], shown);
        message.To.Mailboxes.Single().Name.Should().NotContainAny(["\r", "\n", "\0", "\u0085", "\u2028"], shown);
        message.Bcc.Count.Should().Be(0, shown);
        message.Cc.Count.Should().Be(0, shown);
        message.To.Count.Should().Be(1, shown);
    }

    [Theory]
    [MemberData(nameof(Breakers))]
    public async Task A_line_break_or_nul_in_a_subject_a_display_name_or_a_custom_header_never_reaches_the_wire(string breaker)
    {
        using var host = await StartAsync();
        var transport = host.Services.GetRequiredService<IEmailTransport>();
        var evil = $"{breaker}Bcc: evil@evil.example{breaker}X-Injected: 1{breaker}";
        var content = new RenderedEmail("Hello" + evil + "there", "<p>Hello</p>", "Hello", null);
        var message = EmailMessageComposer.Compose(content, new Envelope(
            "Tea & Kettle <care@shop.example>", null, "mei@shop.example", "Mei" + evil + "Lin", $"crlf-{Guid.NewGuid():N}@shop.example",
            new Uri("https://shop.example/loyalty/unsubscribe/abc?x=" + Uri.EscapeDataString(evil)), Now));

        // A custom header a caller adds with a line break: MimeKit refuses it, or it reaches the wire folded or cleaned.
        try
        {
            message.Headers.Add("X-Custom", "a" + evil + "b");
        }
        catch (ArgumentException)
        {
            message.Headers.Add("X-Custom", "refused");
        }

        (await transport.SendAsync(message, CancellationToken.None)).Outcome.Should().Be(DeliveryOutcome.Delivered);

        var file = WireCheck.MessageFiles(smtp.MaildirPath).Should().ContainSingle().Subject;
        AssertClean(await File.ReadAllBytesAsync(file), breaker);
    }

    [Fact]
    public async Task Line_breaks_in_a_custom_event_property_rendered_into_the_subject_never_reach_the_wire()
    {
        using var host = await StartAsync();
        var notes = new[] { "\r\n", "\n", "\r", "\r\n\r\n", "\r\n ", "\n\t", "\u2028", "\u0085" }.Where(b => !b.Contains('\0', StringComparison.Ordinal))
            .Select(b => $"Hi{b}Bcc: evil@evil.example{b}{b}<script>alert(1)</script>").ToList();
        for (var i = 0; i < notes.Count; i++)
        {
            await using var scope = host.Services.CreateAsyncScope();
            await scope.ServiceProvider.GetRequiredService<ILoyaltyPublisher>().PublishAsync(new CustomEvent
            {
                EventId = $"evt-note-{i}",
                OccurredAt = Now,
                CustomerId = $"cust-{i}",
                Customer = new CustomerSnapshot { Email = $"mei{i}@shop.example", FirstName = "Mei", Locale = "en", TimeZone = "Asia/Taipei" },
                Name = "note",
                Properties = JsonSerializer.SerializeToElement(new Dictionary<string, string> { ["note"] = notes[i] }),
            });
        }

        await host.Services.GetRequiredService<StepDispatcher>().DispatchDueAsync();

        var files = await smtp.WaitForMessagesAsync(notes.Count, TimeSpan.FromSeconds(30));
        files.Should().HaveCount(notes.Count);
        foreach (var file in WireCheck.MessageFiles(smtp.MaildirPath))
        {
            var raw = await File.ReadAllBytesAsync(file);
            AssertClean(raw, "custom property");
            var message = MimeMessage.Load(new MemoryStream(raw));
            message.Subject.Should().StartWith("Note: Hi Bcc: evil@evil.example <script>");
            message.HtmlBody.Should().Contain("&lt;script&gt;").And.NotContain("<script>");
        }
    }

    public static TheoryData<string> SmugglingAddresses() => new()
    {
        "\"a\r\nRCPT TO:<x>\"@d",
        "\"a\r\nRCPT TO:<evil@evil.example>\"@shop.example",
        "mei@shop.example\r\nRCPT TO:<evil@evil.example>",
        "mei@shop.example>\r\nRCPT TO:<evil@evil.example",
        "mei@shop.example\nDATA",
        "mei@shop.example\0RCPT TO:<evil@evil.example>",
    };

    [Theory]
    [MemberData(nameof(SmugglingAddresses))]
    public async Task An_address_that_would_smuggle_an_smtp_command_is_refused_at_the_door_and_nothing_is_stored(string address)
    {
        using var host = await StartAsync();
        await using var scope = host.Services.CreateAsyncScope();
        var publish = () => scope.ServiceProvider.GetRequiredService<ILoyaltyPublisher>().PublishAsync(new CustomEvent
        {
            EventId = "evt-smuggle",
            OccurredAt = Now,
            CustomerId = "cust-smuggle",
            Customer = new CustomerSnapshot { Email = address, FirstName = "Mei" },
            Name = "note",
            Properties = JsonSerializer.SerializeToElement(new Dictionary<string, string> { ["note"] = "hi" }),
        });

        var error = (await publish.Should().ThrowAsync<EventValidationException>()).Which;

        error.Problems.Should().ContainSingle().Which.Field.Should().Be("Customer.Email");
        var db = scope.ServiceProvider.GetRequiredService<LoyaltyDbContext>();
        (await db.ProcessedEvents.CountAsync()).Should().Be(0);
        (await db.Customers.CountAsync()).Should().Be(0);
        (await db.ScheduledSteps.CountAsync()).Should().Be(0);
    }

    [Theory]
    [MemberData(nameof(SmugglingAddresses))]
    public async Task An_address_that_would_smuggle_an_smtp_command_never_becomes_a_second_recipient_even_past_the_door(string address)
    {
        using var host = await StartAsync();
        var transport = host.Services.GetRequiredService<IEmailTransport>();
        MimeMessage message;
        try
        {
            message = EmailMessageComposer.Compose(new RenderedEmail("Hi", "<p>Hi</p>", "Hi", null),
                new Envelope("Tea & Kettle <care@shop.example>", null, address, "Mei", $"smuggle-{Guid.NewGuid():N}@shop.example", null, Now));
        }
        catch (Exception ex) when (ex is ParseException or ArgumentException)
        {
            return; // Refused by MimeKit when composing: nothing to send.
        }

        DeliveryResult result;
        try
        {
            result = await transport.SendAsync(message, CancellationToken.None);
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException or FormatException)
        {
            return; // Refused by the transport.
        }

        if (result.Outcome == DeliveryOutcome.Delivered)
        {
            var file = WireCheck.MessageFiles(smtp.MaildirPath).Should().ContainSingle().Subject;
            var received = MimeMessage.Load(file);
            (received.Headers["X-Envelope-To"] ?? "").Should().NotContain("evil").And.NotContain(",");
        }

        WireCheck.MessageFiles(smtp.MaildirPath).Should().HaveCountLessThanOrEqualTo(1);
    }
}
