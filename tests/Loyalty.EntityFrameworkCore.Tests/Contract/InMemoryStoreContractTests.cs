using Loyalty.Email.Stores.InMemory;
using Loyalty.EntityFrameworkCore.Tests.Infrastructure;

namespace Loyalty.EntityFrameworkCore.Tests.Contract;

public sealed class InMemoryStoreContractTests : StoreContractTests
{
    // xUnit creates the class once per test: every test has its own store.
    private readonly InMemoryLoyaltyStore _store = new();

    protected override StoreSession OpenSession() => new(_store, _store, _store, _store, _store);

    protected override Task ResetAsync() => Task.CompletedTask;
}
