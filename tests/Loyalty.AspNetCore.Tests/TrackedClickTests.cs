using System.Net;
using Loyalty.AspNetCore.Tests.Infrastructure;
using Loyalty.Links;
using Microsoft.Extensions.DependencyInjection;

namespace Loyalty.AspNetCore.Tests;

public sealed class TrackedClickTests(EndpointHostFixture fixture) : IClassFixture<EndpointHostFixture>
{
    private EndpointHost Host => fixture.Host;

    private ISignedLinks Links => Host.Services.GetRequiredService<ISignedLinks>();

    [Theory]
    [InlineData("https://shop.test/products/starter-kit?utm_source=email#reviews")]
    [InlineData("http://shop.test/")]
    [InlineData("/products/starter-kit?x=1")]
    public async Task A_signed_click_redirects_to_exactly_the_url_it_carries(string target)
    {
        var token = TrackedClickLinks.Token(Links, target, TimeSpan.FromDays(30));

        using var response = await Host.Client.GetAsync($"loyalty/c/{token}");

        response.StatusCode.Should().Be(HttpStatusCode.Redirect);
        response.Headers.Location!.OriginalString.Should().Be(target);
    }

    public static TheoryData<string> OpenRedirectPayloads => new()
    {
        "//evil.example",
        "/\\evil.example",
        "https:evil.example",
        "https://evil.example",
        "http://evil.example/",
        "%2F%2Fevil.example",
        "%2F%5Cevil.example",
        "https%3A%2F%2Fevil.example",
        "https%3Aevil.example",
        "%252F%252Fevil.example",
        "%5C%5Cevil.example",
    };

    [Theory]
    [MemberData(nameof(OpenRedirectPayloads))]
    public async Task A_url_in_place_of_a_token_is_404_without_a_location(string payload)
    {
        var (status, headers) = await Host.RawGetAsync("/loyalty/c/" + payload);

        status.Should().Be(404);
        headers.Should().NotContainKey("Location");
    }

    [Theory]
    [MemberData(nameof(OpenRedirectPayloads))]
    public async Task An_unsafe_target_is_refused_even_inside_a_genuine_click_token(string payload)
    {
        var subject = Uri.UnescapeDataString(payload);
        var token = Links.Issue(LinkPurpose.Click, subject, TimeSpan.FromDays(1));

        var (status, headers) = await Host.RawGetAsync("/loyalty/c/" + token);

        if (subject.StartsWith("http://evil.example", StringComparison.Ordinal) || subject.StartsWith("https://evil.example", StringComparison.Ordinal))
        {
            // A well-formed absolute URL the shop itself signed is a legitimate target (an e-mail may link anywhere).
            status.Should().Be(302);
            return;
        }

        status.Should().Be(404);
        headers.Should().NotContainKey("Location");
        FluentActions.Invoking(() => TrackedClickLinks.Token(Links, subject, TimeSpan.FromDays(1))).Should().Throw<ArgumentException>();
    }

    [Theory]
    [InlineData("javascript:alert(1)")]
    [InlineData("data:text/html,hi")]
    [InlineData("https://user:pw@evil.example/")]
    [InlineData(" https://shop.test/")]
    [InlineData("https://shop.test/\r\nSet-Cookie: a=b")]
    [InlineData("file:///etc/passwd")]
    public async Task Other_schemes_user_info_and_control_characters_are_refused_inside_a_genuine_token(string subject)
    {
        var token = Links.Issue(LinkPurpose.Click, subject, TimeSpan.FromDays(1));

        var (status, headers) = await Host.RawGetAsync("/loyalty/c/" + token);

        status.Should().Be(404);
        headers.Should().NotContainKey("Location");
    }

    [Fact]
    public async Task A_token_for_another_purpose_or_a_tampered_token_is_404_without_a_location()
    {
        var foreign = Links.Issue(LinkPurpose.Share, "https://shop.test/", TimeSpan.FromDays(1));
        var genuine = TrackedClickLinks.Token(Links, "https://shop.test/", TimeSpan.FromDays(1));
        var tampered = genuine[..^2] + (genuine[^2] == 'A' ? "B" : "A") + genuine[^1];

        foreach (var token in new[] { foreign, tampered, genuine + "x", "" + genuine[1..] })
        {
            using var response = await Host.Client.GetAsync($"loyalty/c/{token}");
            response.StatusCode.Should().Be(HttpStatusCode.NotFound, token);
            response.Headers.Location.Should().BeNull();
        }
    }
}
