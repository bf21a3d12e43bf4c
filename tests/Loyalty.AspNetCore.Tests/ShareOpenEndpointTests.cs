using System.Net;
using Loyalty.AspNetCore.Tests.Infrastructure;
using Loyalty.Referrals.Attribution;
using Loyalty.Referrals.Codes;
using Loyalty.Referrals.Sharing;
using Loyalty.Stores;
using Microsoft.Extensions.DependencyInjection;

namespace Loyalty.AspNetCore.Tests;

public sealed class ShareOpenEndpointTests(EndpointHostFixture fixture) : IClassFixture<EndpointHostFixture>
{
    private EndpointHost Host => fixture.Host;

    private async Task<string> CodeOfAsync(string customerId)
    {
        await using var scope = Host.Services.CreateAsyncScope();
        return (await scope.ServiceProvider.GetRequiredService<ReferralCodes>().GetOrCreateAsync(customerId)).Code;
    }

    private async Task<int> OpensAsync(string advocate, string network)
    {
        await using var scope = Host.Services.CreateAsyncScope();
        var report = await scope.ServiceProvider.GetRequiredService<ReferralFunnel>().GetAsync(new ReferralFunnelFilter { AdvocateCustomerId = advocate });
        return report.ByNetwork.SingleOrDefault(r => r.Network == network)?.ShareOpens ?? 0;
    }

    [Fact]
    public async Task A_tracked_share_link_counts_the_open_and_redirects_to_the_networks_share_url_of_the_landing()
    {
        var code = await CodeOfAsync("sam");

        using var response = await Host.Client.GetAsync($"loyalty/s/line/{code}");

        response.StatusCode.Should().Be(HttpStatusCode.Redirect);
        response.Headers.CacheControl!.NoStore.Should().BeTrue();
        var location = response.Headers.Location!;
        location.GetLeftPart(UriPartial.Path).Should().Be("https://social-plugins.line.me/lineit/share");
        Uri.UnescapeDataString(location.Query).Should().Contain($"url=http://shop.test/r/{code}?utm_source=line&utm_medium=referral&utm_campaign=referral");
        (await OpensAsync("sam", "line")).Should().Be(1);
    }

    [Fact]
    public async Task Every_tracked_link_the_builder_makes_is_served_and_counted_under_its_network()
    {
        var code = await CodeOfAsync("tia");
        var links = Host.Services.GetRequiredService<ShareLinkBuilder>().TrackedForReferral(code);

        foreach (var (network, link) in links)
        {
            using var response = await Host.Client.GetAsync(link.Url.PathAndQuery.TrimStart('/'));
            response.StatusCode.Should().Be(HttpStatusCode.Redirect, network);
            (await OpensAsync("tia", network)).Should().Be(1, network);
        }

        using var wechat = await Host.Client.GetAsync($"loyalty/s/wechat/{code}");
        wechat.Headers.Location!.AbsoluteUri.Should().Be($"http://shop.test/r/{code}/wechat-qr.png");
        using var mail = await Host.Client.GetAsync($"loyalty/s/email/{code}");
        mail.Headers.Location!.Scheme.Should().Be("mailto");
    }

    [Theory]
    [InlineData("loyalty/s/myspace/{code}")]
    [InlineData("loyalty/s/line/NOSUCH7")]
    [InlineData("loyalty/s/line/https%3A%2F%2Fevil.example")]
    [InlineData("loyalty/s/https%3A%2F%2Fevil.example/{code}")]
    public async Task An_unknown_network_or_code_is_404_without_a_location_and_counts_nothing(string path)
    {
        var code = await CodeOfAsync("uma");

        using var response = await Host.Client.GetAsync(path.Replace("{code}", code, StringComparison.Ordinal));

        response.StatusCode.Should().Be(HttpStatusCode.NotFound);
        response.Headers.Location.Should().BeNull();
        await using var scope = Host.Services.CreateAsyncScope();
        (await scope.ServiceProvider.GetRequiredService<ReferralFunnel>().GetAsync(new ReferralFunnelFilter { AdvocateCustomerId = "uma" })).Totals.ShareOpens.Should().Be(0);
    }

    [Fact]
    public async Task A_protocol_relative_or_backslash_path_never_redirects_off_site()
    {
        var code = await CodeOfAsync("vic");

        foreach (var raw in new[] { $"/loyalty/s//evil.example/{code}", $"/loyalty/s/%5C%5Cevil.example/{code}", $"/loyalty/s/line/{code}/..%2F..%2F%2Fevil.example" })
        {
            var (status, headers) = await Host.RawGetAsync(raw);
            if (headers.TryGetValue("Location", out var location))
            {
                new Uri(location).Host.Should().Be("social-plugins.line.me", raw);
            }
            else
            {
                status.Should().Be(404, raw);
            }
        }
    }
}
