using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Loyalty.IntegrationTests.Infrastructure;
using Loyalty.Storefront.Tests.Infrastructure;
using MimeKit;

namespace Loyalty.Storefront.Tests.Delivery;

/// <summary>
/// The storefront configured as production would be: SMTP to a real server (aiosmtpd) and PostgreSQL for the shop,
/// Loyalty and Hangfire (the throwaway cluster of scripts/test.sh). It runs as a child process, since Hangfire's job
/// storage is process-wide and the in-process storefront uses memory.
/// </summary>
public sealed class SmtpAndPostgresTests(SmtpServerFixture smtp, PostgresFixture postgres)
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
    public async Task With_SMTP_and_PostgreSQL_the_check_in_arrives_at_the_SMTP_server_and_its_one_click_unsubscribe_works_without_a_cookie_while_a_GET_does_not_unsubscribe()
    {
        var customerId = $"pg-{Guid.NewGuid():N}"[..12];
        var email = $"{customerId}@example.com";
        (await App.Client.PostAsJsonAsync("api/customers", new { id = customerId, email, name = "Pat Postgres", locale = "en", timeZone = "Asia/Taipei", marketingConsent = true }))
            .EnsureSuccessStatusCode();
        var order = await App.Client.PostAsJsonAsync("api/orders", new { id = $"{customerId}-o1", customerId, lines = new[] { new { sku = "starter-kit", quantity = 1 } } });
        order.StatusCode.Should().Be(HttpStatusCode.Created, await order.Content.ReadAsStringAsync());

        await App.AdvanceDaysAsync(30);
        var checkIn = await WaitForMessageAsync(email, m => m.Subject != null && m.Subject.Contains("starter kit", StringComparison.OrdinalIgnoreCase));
        checkIn.TextBody.Should().Contain("month");
        var sends = await App.Client.GetFromJsonAsync<JsonElement[]>($"api/sends?customerId={customerId}");
        sends.Should().Contain(s => s.GetProperty("flow").GetString() == "starter-kit-checkin" && s.GetProperty("state").GetString() == "Sent");
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
