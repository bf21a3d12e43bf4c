using Hangfire;
using Microsoft.Extensions.DependencyInjection;

namespace Loyalty.Email.Scheduling;

/// <summary>
/// The Hangfire jobs of Loyalty.Email. Hangfire's own retries are off: a step's retry state lives in its row, and
/// a job that runs twice finds nothing left to do (the claim and the guarded write see to that).
/// </summary>
public sealed class DispatchJobs
{
    /// <summary>The id of the recurring sweep.</summary>
    public const string SweepJobId = "loyalty-email-sweep";

    private readonly StepDispatcher _dispatcher;

    /// <summary>Created by Hangfire's job activator.</summary>
    public DispatchJobs(StepDispatcher dispatcher)
    {
        _dispatcher = dispatcher;
    }

    /// <summary>Claims and runs every due step.</summary>
    [AutomaticRetry(Attempts = 0)]
    [DisableConcurrentExecution(timeoutInSeconds: 10)]
    public Task SweepAsync(CancellationToken cancellationToken) => _dispatcher.DispatchDueAsync(cancellationToken);

    /// <summary>Runs one immediate step (a no-op when another worker already did).</summary>
    [AutomaticRetry(Attempts = 0)]
    public Task RunStepAsync(Guid stepId, CancellationToken cancellationToken) => _dispatcher.RunStepAsync(stepId, cancellationToken);
}

/// <summary>Hands immediate steps to Hangfire; without a Hangfire client the sweep picks them up instead.</summary>
internal sealed class HangfireImmediateStepQueue : IImmediateStepQueue
{
    private readonly IServiceProvider _services;

    public HangfireImmediateStepQueue(IServiceProvider services)
    {
        _services = services;
    }

    public void Enqueue(Guid stepId)
    {
        var client = _services.GetService<IBackgroundJobClient>();
        client?.Enqueue<DispatchJobs>(jobs => jobs.RunStepAsync(stepId, CancellationToken.None));
    }
}

/// <summary>Registers the recurring sweep with Hangfire when the host starts.</summary>
internal sealed class SweepRegistration : Microsoft.Extensions.Hosting.IHostedService
{
    private readonly IServiceProvider _services;
    private readonly Microsoft.Extensions.Options.IOptions<EmailOptions> _options;

    public SweepRegistration(IServiceProvider services, Microsoft.Extensions.Options.IOptions<EmailOptions> options)
    {
        _services = services;
        _options = options;
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        var manager = _services.GetService<IRecurringJobManager>();
        manager?.AddOrUpdate<DispatchJobs>(DispatchJobs.SweepJobId, jobs => jobs.SweepAsync(CancellationToken.None), _options.Value.SweepCron);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
