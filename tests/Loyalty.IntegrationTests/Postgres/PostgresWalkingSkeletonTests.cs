using Hangfire;
using Hangfire.PostgreSql;
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
using Microsoft.Extensions.Time.Testing;

namespace Loyalty.IntegrationTests.Postgres;

/// <summary>The walking skeleton on the scale-out configuration: PostgreSQL store and Hangfire.PostgreSql.</summary>
[Collection("smtp")]
public sealed class PostgresWalkingSkeletonTests : IClassFixture<PostgresFixture>, IAsyncLifetime
{
    private static readonly DateTimeOffset Start = new(2026, 6, 1, 10, 0, 0, TimeSpan.FromHours(8));
    private readonly SmtpServerFixture _smtp;
    private readonly PostgresFixture _postgres;
    private readonly FakeTimeProvider _clock = new(Start);

    public PostgresWalkingSkeletonTests(SmtpServerFixture smtp, PostgresFixture postgres)
    {
        _smtp = smtp;
        _postgres = postgres;
    }

    public Task InitializeAsync()
    {
        _smtp.Clear();
        return Task.CompletedTask;
    }

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task A_check_in_scheduled_on_PostgreSQL_is_delivered_once_after_30_days()
    {
        var connectionString = await _postgres.CreateDatabaseAsync("skeleton");
        using var host = await LoyaltyTestHost.StartAsync(new TestHostSettings
        {
            Clock = _clock,
            Smtp = _smtp,
            PostgresConnectionString = connectionString,
            Email = email => email.AddFlow("starter-kit-checkin", flow => flow
                .On(EventTypes.OrderPlaced).WhenOrderHasTag("starter-kit").Transactional()
                .Wait(TimeSpan.FromDays(30)).Send("service-recovery-apology")),
        });

        await using (var scope = host.Services.CreateAsyncScope())
        {
            var publisher = scope.ServiceProvider.GetRequiredService<ILoyaltyPublisher>();
            var order = new OrderPlaced
            {
                EventId = "pg-order-1",
                OccurredAt = Start,
                CustomerId = "cust-lin",
                Customer = new CustomerSnapshot { Email = "lin@example.cn", FirstName = "Lin", Locale = "zh-CN", TimeZone = "Asia/Shanghai" },
                OrderId = "CN-1",
                Currency = "CNY",
                Total = 299m,
                Lines = [new OrderLine { Sku = "starter-kit", ProductName = "入门套装", Quantity = 1, UnitPrice = 299m, Tags = ["starter-kit"] }],
            };
            await publisher.PublishAsync(order);
            (await publisher.PublishAsync(order)).Accepted.Should().BeFalse();
        }

        var dispatcher = host.Services.GetRequiredService<StepDispatcher>();
        _clock.Advance(TimeSpan.FromDays(30) - TimeSpan.FromMinutes(1));
        (await dispatcher.DispatchDueAsync()).Should().Be(0);
        _clock.Advance(TimeSpan.FromMinutes(1));
        (await dispatcher.DispatchDueAsync()).Should().Be(1);

        (await _smtp.WaitForMessagesAsync(1, TimeSpan.FromSeconds(10))).Should().ContainSingle()
            .Which.To.Mailboxes.Single().Address.Should().Be("lin@example.cn");
        await using var check = host.Services.CreateAsyncScope();
        var step = await check.ServiceProvider.GetRequiredService<LoyaltyDbContext>().ScheduledSteps.SingleAsync();
        step.State.Should().Be(StepState.Sent);
        step.MessageId.Should().NotBeNullOrEmpty();
        host.Services.GetRequiredService<JobStorage>().Should().BeOfType<PostgreSqlStorage>();
    }
}
