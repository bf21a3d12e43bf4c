using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Loyalty.IntegrationTests.Infrastructure;
using Loyalty.Storefront.Tests.Infrastructure;
using MimeKit;

namespace Loyalty.Storefront.Tests.Delivery;

/// <summary>
/// The storefront configured as production would be: SMTP to a real server (aiosmtpd) and PostgreSQL for the shop,
/// Loyalty and Hangfire (the throwaway cluster of scripts/test.sh). It runs as a child process, since Hangfire's job
/// storage is process-wide and the in-process storefront uses memory.
/// </summary>
public sealed partial class SmtpAndPostgresTests(SmtpServerFixture smtp, PostgresFixture postgres)
    : IClassFixture<SmtpServerFixture>, IClassFixture<PostgresFixture>, IAsyncLifetime
{
    private StorefrontProcess? _app;

    private StorefrontProcess App => _app!;

    public async Task InitializeAsync()
    {
        var database = await postgres.CreateDatabaseAsync("storefront");
        _app = await StorefrontProcess.StartAsync(
        [
            "--Loyalty:Email:Smtp:Host=" + smtp.Host,
            "--Loyalty:Email:Smtp:Port=" + smtp.Port,
            "--Loyalty:Email:Smtp:Security=None",
            "--Loyalty:Storage:Provider=PostgreSql",
            "--ConnectionStrings:Loyalty=" + database,
        ]);
    }

    public async Task DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }
    }

    [Fact]
    public async Task With_SMTP_and_PostgreSQL_the_review_request_share_email_friend_referral_reward_and_check_in_arrive_at_the_SMTP_server_and_one_click_unsubscribe_works_without_a_cookie()
    {
        var customerId = $"pg-{Guid.NewGuid():N}"[..12];
        var email = $"{customerId}@example.com";
        (await App.Client.PostAsJsonAsync("api/customers", new { id = customerId, email, name = "Pat Postgres", locale = "en", timeZone = "Asia/Taipei", marketingConsent = true }))
            .EnsureSuccessStatusCode();
        var orderId = $"{customerId}-o1";
        var order = await App.Client.PostAsJsonAsync("api/orders", new { id = orderId, customerId, lines = new[] { new { sku = "starter-kit", quantity = 1 } } });
        order.StatusCode.Should().Be(HttpStatusCode.Created, await order.Content.ReadAsStringAsync());
        (await App.Client.PostAsync($"api/orders/{orderId}/deliver", null)).EnsureSuccessStatusCode();

        // A week after delivery: the review request, one-click star links per product.
        await App.AdvanceDaysAsync(7);
        var prompt = await WaitForMessageAsync(email, m => m.Subject == "How are you finding your order?");
        var stars = Links(prompt.HtmlBody).Where(l => l.Text.EndsWith('★')).ToList();
        stars.Select(l => l.Text).Should().Equal("1★", "2★", "3★", "4★", "5★");
        var fiveStars = new Uri(stars[^1].Href);
        fiveStars.GetLeftPart(UriPartial.Authority).Should().Be(App.BaseAddress.GetLeftPart(UriPartial.Authority));
        var landing = await App.Client.GetAsync(fiveStars);
        landing.StatusCode.Should().Be(HttpStatusCode.Redirect);
        landing.Headers.Location!.OriginalString.Should().Contain("/review?").And.Contain($"order={orderId}").And.Contain("sku=starter-kit").And.Contain("rating=5");

        // The review, then the share e-mail with its LINE link to the review's page.
        var review = await App.Client.PostAsJsonAsync("api/reviews", new { customerId, orderId, sku = "starter-kit", rating = 5, text = "Lovely kit." });
        review.StatusCode.Should().Be(HttpStatusCode.Created, await review.Content.ReadAsStringAsync());
        var share = await WaitForMessageAsync(email, m => m.Subject == "Thank you for your review");
        var line = Links(share.HtmlBody).Single(l => l.Text == "LINE").Href;
        line.Should().StartWith("https://social-plugins.line.me/lineit/share?url=");
        var shared = new Uri(Uri.UnescapeDataString(line["https://social-plugins.line.me/lineit/share?url=".Length..].Split('&')[0]));
        shared.GetLeftPart(UriPartial.Path).Should().Be(new Uri(App.BaseAddress, "products/starter-kit").AbsoluteUri);
        shared.Query.Should().Contain("utm_source=line").And.Contain("ref=");

        // A friend lands with the referral link and orders with its code: the friend's credit at once, the advocate is told.
        var referral = await App.Client.GetFromJsonAsync<JsonElement>($"api/customers/{customerId}/referral");
        var code = referral.GetProperty("code").GetString()!;
        var visit = await App.Client.GetAsync($"r/{code}?utm_source=line");
        visit.StatusCode.Should().Be(HttpStatusCode.Redirect);
        var visitor = visit.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("loyalty_ref=", StringComparison.Ordinal)).Split(';')[0]["loyalty_ref=".Length..].Split('.')[0];
        var friendId = $"{customerId}-f";
        (await App.Client.PostAsJsonAsync("api/customers", new { id = friendId, email = $"{friendId}@example.net", name = "Ben Friend", locale = "en", timeZone = "Asia/Taipei", marketingConsent = true }))
            .EnsureSuccessStatusCode();
        var friendOrder = await App.Client.PostAsJsonAsync("api/orders", new { id = $"{friendId}-o1", customerId = friendId, lines = new[] { new { sku = "refill-pack", quantity = 1 } }, referralCode = code, visitorId = visitor });
        friendOrder.StatusCode.Should().Be(HttpStatusCode.Created, await friendOrder.Content.ReadAsStringAsync());
        (await Credits(friendId)).Should().ContainSingle(c => c.Kind == "referral-friend" && c.Amount == 100m);
        await WaitForMessageAsync(email, m => m.Subject != null && m.Subject.StartsWith("Your friend just joined", StringComparison.Ordinal));
        (await Credits(customerId)).Should().NotContain(c => c.Kind == "referral-advocate", "the advocate waits for the 14-day return window");

        // 23 more days: past the friend's return window (the advocate's reward) and 30 days after the starter kit (the check-in).
        await App.AdvanceDaysAsync(23);
        var reward = await WaitForMessageAsync(email, m => m.Subject == "Your thank-you reward is ready");
        reward.TextBody.Should().Contain("200");
        (await Credits(customerId)).Should().ContainSingle(c => c.Kind == "referral-advocate" && c.Amount == 200m);
        var funnel = (await App.Client.GetFromJsonAsync<JsonElement>($"api/customers/{customerId}/referral")).GetProperty("funnel");
        funnel.GetProperty("visits").GetInt32().Should().Be(1);
        funnel.GetProperty("attributedOrders").GetInt32().Should().Be(1);

        var checkIn = await WaitForMessageAsync(email, m => m.Subject != null && m.Subject.Contains("starter kit", StringComparison.OrdinalIgnoreCase));
        checkIn.TextBody.Should().Contain("month");
        var sends = (await App.Client.GetFromJsonAsync<JsonElement[]>($"api/sends?customerId={customerId}"))!
            .Select(s => (Flow: s.GetProperty("flow").GetString(), Step: s.GetProperty("step").GetInt32(), State: s.GetProperty("state").GetString(), Reason: s.GetProperty("reason").GetString()))
            .ToList();
        sends.Should().Contain([
            ("starter-kit-checkin", 0, "Sent", null), ("review-prompt", 0, "Sent", null), ("review-thanks-share", 0, "Sent", null),
            ("referral-friend-joined", 0, "Sent", null), ("referral-reward-ready", 0, "Sent", null),
        ]);
        sends.Should().ContainSingle(s => s.Flow == "review-prompt" && s.Step == 1)
            .Which.Should().Be(("review-prompt", 1, "Skipped", "all-products-reviewed"), "a review of every product cancels the reminder");
        var mailbox = await App.Client.GetFromJsonAsync<JsonElement[]>($"api/mailbox?to={Uri.EscapeDataString(email)}");
        mailbox.Should().BeEmpty("with SMTP configured nothing goes to the file mailbox");

        checkIn.Headers[HeaderId.ListUnsubscribePost].Should().Be("List-Unsubscribe=One-Click");
        var unsubscribe = new Uri(checkIn.Headers[HeaderId.ListUnsubscribe]!.Split(',').Select(u => u.Trim().Trim('<', '>')).First(u => u.StartsWith("http", StringComparison.Ordinal)));
        unsubscribe.GetLeftPart(UriPartial.Authority).Should().Be(App.BaseAddress.GetLeftPart(UriPartial.Authority));
        var preferences = new Uri(unsubscribe.AbsoluteUri.Replace("/unsubscribe/", "/preferences/", StringComparison.Ordinal));

        using var noCookies = new HttpClient(new HttpClientHandler { UseCookies = false, AllowAutoRedirect = false });
        (await noCookies.GetAsync(unsubscribe)).StatusCode.Should().Be(HttpStatusCode.OK);
        (await noCookies.GetStringAsync(preferences)).Should().Contain("value=\"marketing\" checked", "a GET (a link scanner) must not unsubscribe");

        using var form = new FormUrlEncodedContent([new KeyValuePair<string, string>("List-Unsubscribe", "One-Click")]);
        var post = await noCookies.PostAsync(unsubscribe, form);
        post.StatusCode.Should().Be(HttpStatusCode.OK);
        post.Headers.Location.Should().BeNull();
        (await noCookies.GetStringAsync(preferences)).Should().NotContain("value=\"marketing\" checked");
    }

    private async Task<IReadOnlyList<(string Kind, decimal Amount)>> Credits(string customerId)
        => (await App.Client.GetFromJsonAsync<JsonElement>($"api/customers/{customerId}")).GetProperty("credits").EnumerateArray()
            .Select(c => (c.GetProperty("kind").GetString()!, c.GetProperty("amount").GetDecimal())).ToList();

    /// <summary>The links of an HTML part: decoded href and text.</summary>
    private static IEnumerable<(string Href, string Text)> Links(string? html)
        => LinkPattern().Matches(html ?? "").Select(m => (WebUtility.HtmlDecode(m.Groups[1].Value), WebUtility.HtmlDecode(m.Groups[2].Value).Trim()));

    [GeneratedRegex("<a\\b[^>]*?href=\"([^\"]*)\"[^>]*>(.*?)</a>", RegexOptions.Singleline)]
    private static partial Regex LinkPattern();

    /// <summary>Runs due work and polls the SMTP server's received messages until one to <paramref name="to"/> matches, with a timeout.</summary>
    private async Task<MimeMessage> WaitForMessageAsync(string to, Func<MimeMessage, bool> match)
    {
        var until = DateTime.UtcNow.AddSeconds(45);
        while (true)
        {
            await App.DispatchAsync();
            var found = (await smtp.ReadMessagesAsync()).FirstOrDefault(m => m.To.Mailboxes.Any(a => a.Address == to) && match(m));
            if (found is not null)
            {
                return found;
            }

            if (DateTime.UtcNow > until)
            {
                var subjects = (await smtp.ReadMessagesAsync()).Select(m => $"{m.To} {m.Subject}");
                throw new TimeoutException($"No matching message to {to} at the SMTP server. Received: {string.Join("; ", subjects)}. Sends: {await App.Client.GetStringAsync("api/sends")}\n{App.Output}");
            }

            // Polling an external effect (a Hangfire worker in another process sending over SMTP), with a timeout.
            await Task.Delay(300);
        }
    }
}
