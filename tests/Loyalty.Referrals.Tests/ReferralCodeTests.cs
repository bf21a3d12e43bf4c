using Microsoft.Extensions.DependencyInjection;
using System.Collections.Concurrent;
using Loyalty.Referrals.Codes;

namespace Loyalty.Referrals.Tests;

public sealed class ReferralCodeTests
{
    [Fact]
    public async Task Codes_from_8_concurrent_generators_are_unique_and_use_only_the_unambiguous_alphabet()
    {
        await using var harness = new ReferralHarness(o => o.CodeLength = 5);
        var codes = new ConcurrentBag<string>();
        await Parallel.ForEachAsync(Enumerable.Range(0, 8), async (worker, ct) =>
        {
            for (var i = 0; i < 100; i++)
            {
                await using var scope = harness.Services.CreateAsyncScope();
                var service = scope.ServiceProvider.GetRequiredService<ReferralCodes>();
                codes.Add((await service.GetOrCreateAsync($"c-{worker}-{i}", ct)).Code);
            }
        });

        codes.Should().HaveCount(800).And.OnlyHaveUniqueItems();
        codes.Should().OnlyContain(c => c.Length == 5 && c.All(ch => ReferralCodeGenerator.Alphabet.Contains(ch)));
        ReferralCodeGenerator.Alphabet.Should().NotContainAny("0", "O", "1", "I", "L");
    }

    [Fact]
    public async Task The_same_customer_asked_concurrently_gets_one_code()
    {
        await using var harness = new ReferralHarness();
        var codes = new ConcurrentBag<string>();
        await Parallel.ForEachAsync(Enumerable.Range(0, 8), async (_, ct) =>
        {
            await using var scope = harness.Services.CreateAsyncScope();
            codes.Add((await scope.ServiceProvider.GetRequiredService<ReferralCodes>().GetOrCreateAsync("alice", ct)).Code);
        });

        codes.Distinct().Should().ContainSingle().Which.Should().HaveLength(7);
    }

    [Fact]
    public async Task A_vanity_code_is_validated_unique_and_preferred_and_the_landing_url_carries_it()
    {
        await using var harness = new ReferralHarness();
        var codes = harness.Get<ReferralCodes>();
        (await codes.AddVanityAsync("alice", "mei-tea")).Code.Should().Be("MEI-TEA");
        (await codes.GetOrCreateAsync("alice")).Code.Should().Be("MEI-TEA");
        await codes.Invoking(c => c.AddVanityAsync("bob", "Mei-Tea")).Should().ThrowAsync<ReferralCodeException>().WithMessage("*taken*");
        await codes.Invoking(c => c.AddVanityAsync("bob", "a b")).Should().ThrowAsync<ReferralCodeException>();
        await codes.Invoking(c => c.AddVanityAsync("bob", "-abc-")).Should().ThrowAsync<ReferralCodeException>();
        codes.LandingUrl("MEI-TEA").AbsoluteUri.Should().Be("https://shop.example/r/MEI-TEA");
        (await codes.ResolveAsync(" mei-tea "))!.CustomerId.Should().Be("alice");
    }
}
