using System.Net;
using Loyalty.AspNetCore.Tests.Infrastructure;
using Loyalty.Referrals.Codes;
using Loyalty.Stores;
using Microsoft.Extensions.DependencyInjection;

namespace Loyalty.AspNetCore.Tests;

public sealed class ReferralLandingTests(EndpointHostFixture fixture) : IClassFixture<EndpointHostFixture>
{
    private EndpointHost Host => fixture.Host;

    private async Task<string> CodeOfAsync(string customerId)
    {
        await using var scope = Host.Services.CreateAsyncScope();
        return (await scope.ServiceProvider.GetRequiredService<ReferralCodes>().GetOrCreateAsync(customerId)).Code;
    }

    private async Task<IReadOnlyList<ReferralVisit>> VisitsOfAsync(string visitorId)
        => await Host.Services.GetRequiredService<IReferralVisitStore>().GetByVisitorAsync(visitorId, DateTimeOffset.MinValue, CancellationToken.None);

    private static string CookieValue(HttpResponseMessage response)
    {
        var header = response.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith(ReferralAttributionCookie.Name + "=", StringComparison.Ordinal));
        return header.Split(';')[0][(ReferralAttributionCookie.Name.Length + 1)..];
    }

    [Fact]
    public async Task A_landing_with_a_known_code_records_the_visit_sets_the_attribution_cookie_and_redirects_home()
    {
        var code = await CodeOfAsync("amy");

        using var response = await Host.Client.GetAsync($"r/{code}?utm_source=line&utm_medium=referral");

        response.StatusCode.Should().Be(HttpStatusCode.Redirect);
        response.Headers.Location!.OriginalString.Should().Be("/");
        response.Headers.CacheControl!.NoStore.Should().BeTrue();
        var cookie = response.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("loyalty_ref=", StringComparison.Ordinal)).ToLowerInvariant();
        cookie.Should().Contain("httponly").And.Contain("samesite=lax").And.Contain("max-age=2592000").And.Contain("path=/");
        var value = CookieValue(response);
        var visitorId = value.Split('.')[0];
        value.Should().Be($"{visitorId}.{code}");
        var visit = (await VisitsOfAsync(visitorId)).Should().ContainSingle().Subject;
        visit.Code.Should().Be(code);
        visit.AdvocateCustomerId.Should().Be("amy");
        visit.Network.Should().Be("line");
        visit.IpHash.Should().NotBeNullOrEmpty();
    }

    [Fact]
    public async Task A_returning_visitor_keeps_their_visitor_id_and_the_cookie_takes_the_newest_code()
    {
        var first = await CodeOfAsync("bea");
        var second = await CodeOfAsync("cal");
        using var landing = await Host.Client.GetAsync($"r/{first}");
        var visitorId = CookieValue(landing).Split('.')[0];

        using var request = new HttpRequestMessage(HttpMethod.Get, $"r/{second.ToLowerInvariant()}?utm_source=whatsapp");
        request.Headers.Add("Cookie", $"loyalty_ref={visitorId}.{first}");
        using var again = await Host.Client.SendAsync(request);

        CookieValue(again).Should().Be($"{visitorId}.{second}");
        (await VisitsOfAsync(visitorId)).Select(v => v.Code).Should().BeEquivalentTo([first, second]);
    }

    [Theory]
    [InlineData("NOSUCHCODE")]
    [InlineData("bad%20code%3Cscript%3E")]
    public async Task An_unknown_code_just_redirects_without_recording_or_setting_a_cookie(string code)
    {
        using var response = await Host.Client.GetAsync($"r/{code}");

        response.StatusCode.Should().Be(HttpStatusCode.Redirect);
        response.Headers.Location!.OriginalString.Should().Be("/");
        response.Headers.Contains("Set-Cookie").Should().BeFalse();
    }

    [Fact]
    public async Task A_ref_query_on_any_page_records_the_visit_sets_the_cookie_and_serves_the_page()
    {
        var code = await CodeOfAsync("dee");

        using var response = await Host.Client.GetAsync($"products/tea?ref={code}&utm_source=telegram");

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        (await response.Content.ReadAsStringAsync()).Should().Be("product tea");
        var visitorId = CookieValue(response).Split('.')[0];
        (await VisitsOfAsync(visitorId)).Should().ContainSingle().Which.Network.Should().Be("telegram");
    }

    [Fact]
    public async Task A_ref_query_with_an_unknown_code_serves_the_page_without_a_cookie()
    {
        using var response = await Host.Client.GetAsync("products/tea?ref=NOPE123");

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        response.Headers.Contains("Set-Cookie").Should().BeFalse();
    }

    [Fact]
    public void The_attribution_cookie_reader_accepts_only_a_well_formed_value()
    {
        static AttributionCookieValue? Read(string value)
        {
            var context = new Microsoft.AspNetCore.Http.DefaultHttpContext();
            context.Request.Headers.Cookie = $"loyalty_ref={value}";
            return ReferralAttributionCookie.Read(context.Request);
        }

        var visitor = Guid.NewGuid().ToString("N");
        Read($"{visitor}.ABC2345").Should().Be(new AttributionCookieValue("ABC2345", visitor));
        Read($"{visitor}.ABC 2345").Should().BeNull();
        Read($"{visitor}.").Should().BeNull();
        Read("short.ABC2345").Should().BeNull();
        Read($"{visitor.ToUpperInvariant()}.ABC2345").Should().BeNull();
    }

    [Fact]
    public async Task The_WeChat_QR_code_of_a_known_code_is_a_PNG_and_an_SVG_and_an_unknown_code_is_404()
    {
        var code = await CodeOfAsync("eve");

        using var png = await Host.Client.GetAsync($"r/{code}/wechat-qr.png");
        png.StatusCode.Should().Be(HttpStatusCode.OK);
        png.Content.Headers.ContentType!.MediaType.Should().Be("image/png");
        (await png.Content.ReadAsByteArrayAsync()).Take(8).Should().Equal(0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A);

        using var svg = await Host.Client.GetAsync($"r/{code}/wechat-qr.svg");
        svg.StatusCode.Should().Be(HttpStatusCode.OK);
        svg.Content.Headers.ContentType!.MediaType.Should().Be("image/svg+xml");
        (await svg.Content.ReadAsStringAsync()).Should().Contain("<svg");

        using var unknown = await Host.Client.GetAsync("r/NOSUCHCODE/wechat-qr.png");
        unknown.StatusCode.Should().Be(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Without_the_referral_programme_no_referral_or_review_landing_is_mapped()
    {
        await using var host = await EndpointHost.StartAsync(referrals: false);

        (await host.Client.GetAsync("r/ABC2345")).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await host.Client.GetAsync("loyalty/review/abc")).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await host.Client.GetAsync("?ref=ABC2345")).Headers.Contains("Set-Cookie").Should().BeFalse();
    }
}
