using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Loyalty.Email.Delivery;
using Loyalty.Storefront.Tests.Infrastructure;

namespace Loyalty.Storefront.Tests.Api;

[Collection(StorefrontCollection.Name)]
public sealed class StorefrontApiTests(StorefrontFixture storefront)
{
    private HttpClient Client => storefront.Client;

    [Fact]
    public async Task A_starter_kit_order_brings_the_check_in_email_after_30_days_on_the_demo_clock()
    {
        var (customerId, email) = await storefront.CreateCustomerAsync("api-kit");
        var order = await Client.PostAsJsonAsync("api/orders", new { id = $"{customerId}-o1", customerId, lines = new[] { new { sku = "starter-kit", quantity = 1 } } });
        order.StatusCode.Should().Be(HttpStatusCode.Created, await order.Content.ReadAsStringAsync());
        (await order.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("eventId").GetString().Should().Be($"order-placed:{customerId}-o1");

        await storefront.AdvanceDaysAsync(29);
        await storefront.DispatchAsync();
        var early = await Client.GetFromJsonAsync<JsonElement[]>($"api/sends?customerId={customerId}");
        early.Should().ContainSingle(s => s.GetProperty("flow").GetString() == "starter-kit-checkin")
            .Which.GetProperty("state").GetString().Should().Be("Scheduled");

        await storefront.AdvanceDaysAsync(1);
        await storefront.DispatchAsync();

        var mail = await storefront.WaitForMailAsync(email, m => m.GetProperty("subject").GetString()!.Contains("starter kit", StringComparison.OrdinalIgnoreCase));
        mail.GetProperty("text").GetString().Should().Contain("month");
        var sends = await Client.GetFromJsonAsync<JsonElement[]>($"api/sends?customerId={customerId}");
        var checkIn = sends.Should().ContainSingle(s => s.GetProperty("flow").GetString() == "starter-kit-checkin").Which;
        checkIn.GetProperty("state").GetString().Should().Be("Sent");
        checkIn.GetProperty("template").GetString().Should().Be("starter-kit-checkin");

        // The same message, read straight from the folder with the library's MailboxReader.
        var reader = new MailboxReader(Path.Combine(storefront.DataDirectory, "mailbox"));
        (await reader.ListAsync(200)).Should().Contain(i => i.Message.To.Mailboxes.Any(m => m.Address == email) && i.Message.Subject != null && i.Message.Subject.Contains("starter kit"));
    }

    [Fact]
    public async Task An_order_with_bad_fields_is_refused_with_a_problem_naming_each_of_them()
    {
        var response = await Client.PostAsJsonAsync("api/orders", new { id = "", customerId = "nobody", lines = new[] { new { sku = "no-such-thing", quantity = 0 } } });

        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        response.Content.Headers.ContentType!.MediaType.Should().Be("application/problem+json");
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        problem.GetProperty("status").GetInt32().Should().Be(400);
        problem.GetProperty("errors").EnumerateObject().Select(p => p.Name).Should().BeEquivalentTo("id", "lines[0].sku", "lines[0].quantity");
    }

    [Fact]
    public async Task A_customer_the_library_refuses_comes_back_as_a_problem_naming_the_api_fields()
    {
        var response = await Client.PostAsJsonAsync("api/customers", new { id = "bad-1", email = "not an address", name = "X", timeZone = "Mars/Olympus" });

        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        problem.GetProperty("errors").EnumerateObject().Select(p => p.Name).Should().BeEquivalentTo("email", "timeZone");
        (await Client.GetAsync("api/customers/bad-1")).StatusCode.Should().Be(HttpStatusCode.NotFound, "a refused event leaves no partial state");
    }

    [Fact]
    public async Task Malformed_json_is_a_problem_naming_the_field_it_broke_at()
    {
        using var content = new StringContent("""{"customerId":"x","sku":"starter-kit","rating":"five"}""", System.Text.Encoding.UTF8, "application/json");
        var response = await Client.PostAsync("api/reviews", content);

        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").EnumerateObject().Select(p => p.Name).Should().Contain("rating");
    }

    [Fact]
    public async Task The_referral_endpoint_gives_the_code_the_landing_url_and_a_share_link_for_every_network()
    {
        var (customerId, _) = await storefront.CreateCustomerAsync("api-ref");

        var referral = await Client.GetFromJsonAsync<JsonElement>($"api/customers/{customerId}/referral");

        var code = referral.GetProperty("code").GetString()!;
        var landing = referral.GetProperty("landingUrl").GetString()!;
        landing.Should().Be(new Uri(storefront.BaseAddress, $"r/{code}").AbsoluteUri);
        var links = referral.GetProperty("shareLinks").EnumerateObject().ToDictionary(p => p.Name, p => p.Value);
        links.Keys.Should().BeEquivalentTo(["facebook", "x", "linkedin", "whatsapp", "telegram", "line", "weibo", "pinterest", "reddit", "email", "wechat"]);
        var line = links["line"].GetProperty("url").GetString()!;
        line.Should().StartWith("https://social-plugins.line.me/lineit/share?url=" + Uri.EscapeDataString(landing + "?utm_source=line"));
        links["email"].GetProperty("url").GetString().Should().StartWith("mailto:");
        links["wechat"].GetProperty("kind").GetString().Should().Be("QrCode");
        (await Client.GetFromJsonAsync<JsonElement>($"api/customers/{customerId}/referral")).GetProperty("code").GetString().Should().Be(code, "a customer keeps their code");

        var qr = await Client.GetAsync(referral.GetProperty("wechatQrPng").GetString());
        qr.StatusCode.Should().Be(HttpStatusCode.OK);
        qr.Content.Headers.ContentType!.MediaType.Should().Be("image/png");

        var unknown = await Client.GetAsync("api/customers/nobody-here/referral");
        unknown.StatusCode.Should().Be(HttpStatusCode.NotFound);
        unknown.Content.Headers.ContentType!.MediaType.Should().Be("application/problem+json");
    }

    [Fact]
    public async Task A_friend_who_lands_with_the_referral_link_and_orders_with_its_visitor_id_gets_the_welcome_credit()
    {
        var (advocateId, _) = await storefront.CreateCustomerAsync("api-adv");
        var code = (await Client.GetFromJsonAsync<JsonElement>($"api/customers/{advocateId}/referral")).GetProperty("code").GetString()!;
        var landing = await Client.GetAsync($"r/{code}?utm_source=whatsapp");
        landing.StatusCode.Should().Be(HttpStatusCode.Redirect);
        landing.Headers.Location!.OriginalString.Should().Be("/");
        var cookie = landing.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("loyalty_ref=", StringComparison.Ordinal)).Split(';')[0]["loyalty_ref=".Length..];
        cookie.Should().EndWith("." + code);

        var (friendId, _) = await storefront.CreateCustomerAsync("api-friend");
        var order = await Client.PostAsJsonAsync("api/orders", new { id = $"{friendId}-o1", customerId = friendId, lines = new[] { new { sku = "refill-pack", quantity = 1 } }, referralCode = code, visitorId = cookie.Split('.')[0] });
        order.StatusCode.Should().Be(HttpStatusCode.Created, await order.Content.ReadAsStringAsync());

        var account = await Client.GetFromJsonAsync<JsonElement>($"api/customers/{friendId}");
        account.GetProperty("credits").EnumerateArray().Should().ContainSingle()
            .Which.GetProperty("kind").GetString().Should().Be("referral-friend");
        var funnel = (await Client.GetFromJsonAsync<JsonElement>($"api/customers/{advocateId}/referral")).GetProperty("funnel");
        funnel.GetProperty("visits").GetInt32().Should().Be(1);
        funnel.GetProperty("attributedOrders").GetInt32().Should().Be(1);
    }

    [Fact]
    public async Task An_unknown_referral_code_redirects_without_a_cookie_and_a_ref_query_on_a_page_sets_one()
    {
        var unknown = await Client.GetAsync("r/NOSUCHCODE");
        unknown.StatusCode.Should().Be(HttpStatusCode.Redirect);
        unknown.Headers.Contains("Set-Cookie").Should().BeFalse();

        var (advocateId, _) = await storefront.CreateCustomerAsync("api-refq");
        var code = (await Client.GetFromJsonAsync<JsonElement>($"api/customers/{advocateId}/referral")).GetProperty("code").GetString()!;
        var page = await Client.GetAsync($"products/starter-kit?ref={code}");
        page.StatusCode.Should().Be(HttpStatusCode.OK);
        page.Headers.GetValues("Set-Cookie").Should().Contain(c => c.StartsWith("loyalty_ref=", StringComparison.Ordinal) && c.Contains("." + code, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_service_issue_issues_a_credit_once_and_sends_the_apology_at_once()
    {
        var (customerId, email) = await storefront.CreateCustomerAsync("api-issue");
        var body = new { id = $"{customerId}-late", customerId, kind = "late_delivery", severity = "high" };
        (await Client.PostAsJsonAsync("api/service-issues", body)).StatusCode.Should().Be(HttpStatusCode.Accepted);
        (await Client.PostAsJsonAsync("api/service-issues", body)).StatusCode.Should().Be(HttpStatusCode.Accepted);
        await storefront.DispatchAsync();

        var mail = await storefront.WaitForMailAsync(email, m => m.GetProperty("subject").GetString()!.Contains("sorry", StringComparison.OrdinalIgnoreCase));
        mail.GetProperty("text").GetString().Should().Contain("200");
        var account = await Client.GetFromJsonAsync<JsonElement>($"api/customers/{customerId}");
        account.GetProperty("credits").EnumerateArray().Should().ContainSingle()
            .Which.GetProperty("amount").GetDecimal().Should().Be(200m);
    }

    [Fact]
    public async Task One_click_unsubscribe_POST_without_cookies_answers_200_without_redirect_and_a_GET_does_not_unsubscribe()
    {
        var (customerId, email) = await storefront.CreateCustomerAsync("api-unsub");
        (await Client.PostAsJsonAsync("api/orders", new { id = $"{customerId}-o1", customerId, lines = new[] { new { sku = "refill-pack", quantity = 2 } } }))
            .EnsureSuccessStatusCode();
        await storefront.DispatchAsync();
        // The first order is a milestone: its congratulation is marketing, so it carries List-Unsubscribe.
        var mail = await storefront.WaitForMailAsync(email, m => m.GetProperty("listUnsubscribe").ValueKind == JsonValueKind.String);
        mail.GetProperty("listUnsubscribePost").GetString().Should().Be("List-Unsubscribe=One-Click");
        var unsubscribe = new Uri(mail.GetProperty("listUnsubscribe").GetString()!.Split(',').Select(u => u.Trim().Trim('<', '>')).First(u => u.StartsWith("http", StringComparison.Ordinal)));
        unsubscribe.GetLeftPart(UriPartial.Authority).Should().Be(storefront.BaseAddress.GetLeftPart(UriPartial.Authority));
        var preferences = new Uri(unsubscribe.AbsoluteUri.Replace("/unsubscribe/", "/preferences/", StringComparison.Ordinal));

        var get = await Client.GetAsync(unsubscribe);
        get.StatusCode.Should().Be(HttpStatusCode.OK);
        (await Client.GetStringAsync(preferences)).Should().Contain("value=\"marketing\" checked", "a GET (a link scanner) must not unsubscribe");

        using var noCookies = new HttpClient(new HttpClientHandler { UseCookies = false, AllowAutoRedirect = false });
        using var form = new FormUrlEncodedContent([new KeyValuePair<string, string>("List-Unsubscribe", "One-Click")]);
        var post = await noCookies.PostAsync(unsubscribe, form);
        post.StatusCode.Should().Be(HttpStatusCode.OK);
        post.Headers.Location.Should().BeNull();
        (await noCookies.PostAsync(unsubscribe, form)).StatusCode.Should().Be(HttpStatusCode.OK, "it is safe to repeat");

        (await Client.GetStringAsync(preferences)).Should().NotContain("value=\"marketing\" checked");
    }
}
