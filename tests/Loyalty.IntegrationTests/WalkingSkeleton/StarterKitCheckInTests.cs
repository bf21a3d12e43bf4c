using Loyalty.Email;
using Loyalty.Email.Flows;
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
using MimeKit;

namespace Loyalty.IntegrationTests.WalkingSkeleton;

/// <summary>
/// The walking skeleton: a host with Loyalty, the EF Core SQLite store and Hangfire; the "starter-kit check-in"
/// flow; a Liquid template from a folder; a real SMTP server on loopback; a fake clock.
/// </summary>
[Collection("smtp")]
public sealed class StarterKitCheckInTests : IAsyncLifetime
{
    private static readonly DateTimeOffset OrderTime = new(2026, 3, 2, 9, 30, 0, TimeSpan.FromHours(8));
    private readonly SmtpServerFixture _smtp;
    private readonly string _dir = Directory.CreateTempSubdirectory("loyalty-skeleton-").FullName;
    private readonly FakeTimeProvider _clock = new(OrderTime);

    public StarterKitCheckInTests(SmtpServerFixture smtp)
    {
        _smtp = smtp;
    }

    public Task InitializeAsync()
    {
        _smtp.Clear();
        var template = Path.Combine(_dir, "templates", "starter-kit-checkin", "default");
        Directory.CreateDirectory(template);
        File.WriteAllText(Path.Combine(template, "subject.liquid"), "How is your {{ order.lines[0].product_name }}, {{ customer.first_name }}?");
        File.WriteAllText(Path.Combine(template, "html.liquid"), "<p>Hi {{ customer.first_name }},</p><p>It has been a month with your {{ order.lines[0].product_name }}. How is it going?</p>");
        File.WriteAllText(Path.Combine(template, "text.liquid"), "Hi {{ customer.first_name }}, it has been a month with your {{ order.lines[0].product_name }}. How is it going?");
        File.WriteAllText(Path.Combine(_dir, "templates", "starter-kit-checkin", "template.json"), "{ \"category\": \"transactional\" }");
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
        Smtp = _smtp,
        SqlitePath = Path.Combine(_dir, "shop.db"),
        TemplatesPath = Path.Combine(_dir, "templates"),
        Email = email => email.AddFlow("starter-kit-checkin", flow => flow
            .On(EventTypes.OrderPlaced)
            .WhenOrderHasTag("starter-kit")
            .Transactional()
            .Wait(TimeSpan.FromDays(30))
            .ExitWhen(BuiltInCondition.OrderedAgainSinceTrigger)
            .Send("starter-kit-checkin")),
    };

    private static OrderPlaced StarterKitOrder(string eventId = "evt-order-1001") => new()
    {
        EventId = eventId,
        OccurredAt = OrderTime,
        CustomerId = "cust-mei",
        Customer = new CustomerSnapshot { Email = "mei@example.com", FirstName = "Mei", Locale = "en", TimeZone = "Asia/Taipei" },
        OrderId = "1001",
        Currency = "TWD",
        Total = 1200m,
        Lines = [new OrderLine { Sku = "starter-kit", ProductName = "Starter Kit", Quantity = 1, UnitPrice = 1200m, Tags = ["starter-kit"] }],
    };

    private static async Task<PublishResult> PublishAsync(IHost host, LoyaltyEvent e)
    {
        await using var scope = host.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<ILoyaltyPublisher>().PublishAsync(e);
    }

    private static Task<int> DispatchAsync(IHost host) => host.Services.GetRequiredService<StepDispatcher>().DispatchDueAsync();

    [Fact]
    public async Task Nothing_is_sent_at_29_days_and_exactly_one_check_in_arrives_at_30_days()
    {
        using var host = await LoyaltyTestHost.StartAsync(Settings());
        (await PublishAsync(host, StarterKitOrder())).Accepted.Should().BeTrue();

        _clock.Advance(TimeSpan.FromDays(29));
        await DispatchAsync(host);
        (await _smtp.ReadMessagesAsync()).Should().BeEmpty();

        _clock.Advance(TimeSpan.FromDays(1));
        await DispatchAsync(host);
        var messages = await _smtp.WaitForMessagesAsync(1, TimeSpan.FromSeconds(10));
        await DispatchAsync(host);

        messages.Should().ContainSingle();
        var message = messages[0];
        message.To.Mailboxes.Single().Address.Should().Be("mei@example.com");
        message.Subject.Should().Be("How is your Starter Kit, Mei?");
        message.TextBody.Should().Contain("Hi Mei").And.Contain("Starter Kit");
        message.HtmlBody.Should().Contain("<p>Hi Mei,</p>").And.Contain("Starter Kit");
        message.MessageId.Should().NotBeNullOrEmpty();
        (await _smtp.ReadMessagesAsync()).Should().ContainSingle();
    }

    [Fact]
    public async Task Publishing_the_same_event_again_schedules_and_sends_nothing_more()
    {
        using var host = await LoyaltyTestHost.StartAsync(Settings());
        (await PublishAsync(host, StarterKitOrder())).ScheduledStepIds.Should().ContainSingle();
        var again = await PublishAsync(host, StarterKitOrder());

        again.Accepted.Should().BeFalse();
        again.ScheduledStepIds.Should().BeEmpty();
        _clock.Advance(TimeSpan.FromDays(30));
        await DispatchAsync(host);
        await PublishAsync(host, StarterKitOrder());
        await DispatchAsync(host);

        (await _smtp.WaitForMessagesAsync(1, TimeSpan.FromSeconds(10))).Should().ContainSingle();
        await using var scope = host.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<LoyaltyDbContext>();
        (await db.ScheduledSteps.CountAsync()).Should().Be(1);
    }

    [Fact]
    public async Task A_new_host_over_the_same_database_still_delivers_what_the_old_one_scheduled()
    {
        using (var first = await LoyaltyTestHost.StartAsync(Settings()))
        {
            await PublishAsync(first, StarterKitOrder());
            await first.StopAsync();
        }

        _clock.Advance(TimeSpan.FromDays(30));
        using var second = await LoyaltyTestHost.StartAsync(Settings());
        await DispatchAsync(second);

        var messages = await _smtp.WaitForMessagesAsync(1, TimeSpan.FromSeconds(10));
        messages.Should().ContainSingle().Which.Subject.Should().Be("How is your Starter Kit, Mei?");
    }

    [Fact]
    public async Task The_scheduled_row_is_durable_in_the_database_not_only_in_Hangfire()
    {
        using (var host = await LoyaltyTestHost.StartAsync(Settings()))
        {
            await PublishAsync(host, StarterKitOrder());
        }

        var options = new DbContextOptionsBuilder<LoyaltyDbContext>().UseSqlite($"Data Source={Path.Combine(_dir, "shop.db")}").Options;
        await using var db = new LoyaltyDbContext(options);
        var step = await db.ScheduledSteps.SingleAsync();
        step.FlowId.Should().Be("starter-kit-checkin");
        step.State.Should().Be(StepState.Scheduled);
        step.DueAt.Should().Be(OrderTime.AddDays(30));
    }

    [Fact]
    public async Task Ordering_again_within_30_days_cancels_the_check_in()
    {
        using var host = await LoyaltyTestHost.StartAsync(Settings());
        await PublishAsync(host, StarterKitOrder());
        _clock.Advance(TimeSpan.FromDays(10));
        await PublishAsync(host, StarterKitOrder("evt-order-1002") with
        {
            OrderId = "1002",
            OccurredAt = OrderTime.AddDays(10),
            Lines = [new OrderLine { Sku = "refill-pack", ProductName = "Refill Pack", Quantity = 2, UnitPrice = 300m }],
        });

        _clock.Advance(TimeSpan.FromDays(20));
        await DispatchAsync(host);

        (await _smtp.ReadMessagesAsync()).Should().BeEmpty();
        await using var scope = host.Services.CreateAsyncScope();
        var step = await scope.ServiceProvider.GetRequiredService<LoyaltyDbContext>().ScheduledSteps.SingleAsync();
        step.State.Should().Be(StepState.Skipped);
        step.Reason.Should().Be("ordered-again");
    }

    [Fact]
    public async Task A_broken_event_is_refused_with_every_problem_and_nothing_is_stored()
    {
        using var host = await LoyaltyTestHost.StartAsync(Settings());
        var broken = StarterKitOrder() with
        {
            Currency = "XXY",
            Customer = new CustomerSnapshot { Email = "mei at example", FirstName = "Mei\r\nBcc: all@example.com", TimeZone = "Asia/Nowhere" },
        };

        var act = () => PublishAsync(host, broken);

        var problems = (await act.Should().ThrowAsync<Loyalty.Validation.EventValidationException>()).Which.Problems;
        problems.Select(p => p.Field).Should().BeEquivalentTo("Currency", "Customer.Email", "Customer.FirstName", "Customer.TimeZone");
        await using var scope = host.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<LoyaltyDbContext>();
        (await db.ProcessedEvents.CountAsync()).Should().Be(0);
        (await db.Customers.CountAsync()).Should().Be(0);
        (await db.ScheduledSteps.CountAsync()).Should().Be(0);
    }
}
