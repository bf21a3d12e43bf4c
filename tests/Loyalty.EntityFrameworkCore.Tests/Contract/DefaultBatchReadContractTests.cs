using Loyalty.Email.Stores.InMemory;
using Loyalty.EntityFrameworkCore.Tests.Infrastructure;
using Loyalty.Stores;

namespace Loyalty.EntityFrameworkCore.Tests.Contract;

/// <summary>
/// The whole store contract, with customer and suppression stores that implement only the single reads (as a shop's
/// own store written before the batch reads does): the interfaces' default batch reads must keep the contract.
/// </summary>
public sealed class DefaultBatchReadContractTests : StoreContractTests
{
    private readonly InMemoryLoyaltyStore _store = new();

    protected override StoreSession OpenSession() =>
        new(_store, new SingleReadCustomers(_store), _store, _store, new SingleReadSuppressions(_store));

    protected override Task ResetAsync() => Task.CompletedTask;

    [Fact]
    public void The_stores_under_test_do_not_implement_the_batch_reads_themselves()
    {
        // Were they implemented here, the tests above would test them and not the interfaces' defaults.
        typeof(SingleReadCustomers).GetMethods().Where(m => m.Name is nameof(ICustomerStore.FindByIdsAsync)).Should().BeEmpty();
        typeof(SingleReadCustomers).GetMethods().Count(m => m.Name is nameof(ICustomerStore.GetOrdersAsync)).Should().Be(1);
        typeof(SingleReadSuppressions).GetMethods().Count(m => m.Name is nameof(ISuppressionStore.GetAsync)).Should().Be(1);
    }

    private sealed class SingleReadCustomers(ICustomerStore inner) : ICustomerStore
    {
        public Task<LoyaltyCustomer?> FindByIdAsync(string customerId, CancellationToken cancellationToken) =>
            inner.FindByIdAsync(customerId, cancellationToken);

        public Task<IReadOnlyList<CustomerOrder>> GetOrdersAsync(string customerId, CancellationToken cancellationToken) =>
            inner.GetOrdersAsync(customerId, cancellationToken);
    }

    private sealed class SingleReadSuppressions(ISuppressionStore inner) : ISuppressionStore
    {
        public Task<IReadOnlyList<Suppression>> GetAsync(string normalizedEmail, CancellationToken cancellationToken) =>
            inner.GetAsync(normalizedEmail, cancellationToken);

        public Task AddAsync(Suppression suppression, CancellationToken cancellationToken) => inner.AddAsync(suppression, cancellationToken);

        public Task RemoveAsync(string normalizedEmail, string category, CancellationToken cancellationToken) =>
            inner.RemoveAsync(normalizedEmail, category, cancellationToken);
    }
}
