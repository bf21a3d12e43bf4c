using Loyalty.EntityFrameworkCore.Stores;
using Loyalty.Stores;
using Microsoft.EntityFrameworkCore;

namespace Loyalty.EntityFrameworkCore.Tests.Infrastructure;

/// <summary>The five stores as one unit of work would see them (one DbContext for the EF stores).</summary>
public sealed class StoreSession(
    IProcessedEventStore events,
    ICustomerStore customers,
    IIntakeStore intake,
    IScheduledStepStore steps,
    ISuppressionStore suppressions,
    IAsyncDisposable? owner = null) : IAsyncDisposable
{
    public IProcessedEventStore Events { get; } = events;

    public ICustomerStore Customers { get; } = customers;

    public IIntakeStore Intake { get; } = intake;

    public IScheduledStepStore Steps { get; } = steps;

    public ISuppressionStore Suppressions { get; } = suppressions;

    public static StoreSession Over<TContext>(TContext context)
        where TContext : DbContext =>
        new(
            new ProcessedEventStore<TContext>(context),
            new CustomerStore<TContext>(context),
            new IntakeStore<TContext>(context),
            new ScheduledStepStore<TContext>(context),
            new SuppressionStore<TContext>(context),
            context);

    public ValueTask DisposeAsync() => owner?.DisposeAsync() ?? ValueTask.CompletedTask;
}
