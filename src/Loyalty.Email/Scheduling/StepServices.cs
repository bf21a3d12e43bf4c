using Microsoft.Extensions.DependencyInjection;

namespace Loyalty.Email.Scheduling;

/// <summary>
/// The services of one step: a DI scope created on the first request, not before. Most sends of a claimed batch
/// need none (the batch read their customer, orders and suppressions; their result is written with others'), and a
/// scope with its <c>DbContext</c> per step was a tenth of the dispatcher's work.
/// </summary>
internal sealed class StepServices(IServiceScopeFactory scopes) : IServiceProvider, IAsyncDisposable
{
    private AsyncServiceScope? _scope;

    public object? GetService(Type serviceType) => (_scope ??= scopes.CreateAsyncScope()).ServiceProvider.GetService(serviceType);

    public ValueTask DisposeAsync() => _scope?.DisposeAsync() ?? ValueTask.CompletedTask;
}
