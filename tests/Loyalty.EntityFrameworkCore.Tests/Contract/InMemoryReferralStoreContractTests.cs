using Loyalty.EntityFrameworkCore.Tests.Infrastructure;
using Loyalty.Referrals.Stores;

namespace Loyalty.EntityFrameworkCore.Tests.Contract;

public sealed class InMemoryReferralStoreContractTests : ReferralStoreContractTests
{
    // xUnit creates the class once per test: every test has its own store.
    private readonly InMemoryReferralStore _store = new();

    protected override ReferralStoreSession OpenSession() => ReferralStoreSession.Over(_store);

    protected override Task ResetAsync() => Task.CompletedTask;
}
