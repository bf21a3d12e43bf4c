using System.Net;
using Loyalty.AspNetCore.Tests.Infrastructure;
using Loyalty.Links;
using Loyalty.Referrals.Reviews;
using Microsoft.Extensions.DependencyInjection;

namespace Loyalty.AspNetCore.Tests;

public sealed class ReviewLandingTests(EndpointHostFixture fixture) : IClassFixture<EndpointHostFixture>
{
    private EndpointHost Host => fixture.Host;

    private string Token(int rating, string order = "O-1", string sku = "starter-kit")
        => Host.Services.GetRequiredService<ReviewLinks>().Token("amy", order, sku, rating);

    [Fact]
    public async Task A_star_link_hands_order_product_rating_and_token_to_the_shops_review_page()
    {
        var token = Token(5, order: "O 1/2", sku: "starter-kit");

        using var response = await Host.Client.GetAsync($"loyalty/review/{token}");

        response.StatusCode.Should().Be(HttpStatusCode.Redirect);
        response.Headers.Location!.OriginalString.Should().Be($"/review?order=O%201%2F2&sku=starter-kit&rating=5&token={Uri.EscapeDataString(token)}");
        response.Headers.CacheControl!.NoStore.Should().BeTrue();
    }

    [Fact]
    public async Task The_star_links_the_library_builds_land_on_the_review_landing()
    {
        var url = Host.Services.GetRequiredService<ReviewLinks>().Url("amy", "O-2", "refill-pack", 4);

        using var response = await Host.Client.GetAsync(url.PathAndQuery.TrimStart('/'));

        response.Headers.Location!.OriginalString.Should().StartWith("/review?order=O-2&sku=refill-pack&rating=4&token=");
    }

    [Fact]
    public async Task The_prefix_and_the_review_page_are_configurable()
    {
        await using var host = await EndpointHost.StartAsync(configure: o =>
        {
            o.Prefix = "/mail";
            o.ReviewPageTemplate = "/shop/reviews/{sku}/new?stars={rating}&by={customer}&t={token}";
        });
        var token = host.Services.GetRequiredService<ReviewLinks>().Token("amy", "O-3", "gift-box", 3);

        using var response = await host.Client.GetAsync($"mail/review/{token}");

        response.Headers.Location!.OriginalString.Should().Be($"/shop/reviews/gift-box/new?stars=3&by=amy&t={Uri.EscapeDataString(token)}");
        (await host.Client.GetAsync($"loyalty/review/{token}")).StatusCode.Should().Be(HttpStatusCode.Redirect, "the library's star links keep their configured path");
    }

    [Fact]
    public async Task A_tampered_or_foreign_token_is_a_404_page_that_reveals_nothing()
    {
        var genuine = Token(5);
        var tampered = genuine[..^2] + (genuine[^2] == 'A' ? "B" : "A") + genuine[^1];
        var foreign = Host.Services.GetRequiredService<ISignedLinks>().Issue(LinkPurpose.Unsubscribe, "amy|O-1|starter-kit|5", TimeSpan.FromDays(1));

        var bodies = new List<string>();
        foreach (var token in new[] { tampered, foreign, "garbage", Uri.EscapeDataString("//evil.example") })
        {
            using var response = await Host.Client.GetAsync($"loyalty/review/{token}");
            response.StatusCode.Should().Be(HttpStatusCode.NotFound);
            response.Headers.Location.Should().BeNull();
            bodies.Add(await response.Content.ReadAsStringAsync());
        }

        bodies.Distinct().Should().ContainSingle("every failure is the same page").Which.Should().NotContainAny("expired", "purpose", "signature", "amy");
    }
}
