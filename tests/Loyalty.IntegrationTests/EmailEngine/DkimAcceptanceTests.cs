using System.Diagnostics;
using System.Security.Cryptography;
using Loyalty.IntegrationTests.Hosting;
using Loyalty.IntegrationTests.Infrastructure;
using MimeKit;

namespace Loyalty.IntegrationTests.EmailEngine;

/// <summary>
/// Acceptance: a marketing message sent by the engine through the real SMTP server verifies with an independent
/// DKIM verifier (Debian's python3-dkim) and carries both unsubscribe headers, both covered by the signature.
/// </summary>
[Collection("smtp")]
public sealed class DkimAcceptanceTests : IDisposable
{
    private const string Domain = "shop.example";
    private const string Selector = "loyalty2026";
    private static readonly DateTimeOffset Start = new(2026, 3, 2, 10, 0, 0, TimeSpan.FromHours(8));
    private readonly EngineHarness _h;
    private readonly RSA _key = RSA.Create(2048);

    public DkimAcceptanceTests(SmtpServerFixture smtp)
    {
        smtp.Clear();
        _h = new EngineHarness(smtp, Start);
        _h.SimpleTemplate("promo", "marketing", "新茶上市 — ชาใหม่ — new teas, {{ customer.first_name }}", "<p>Hi {{ customer.first_name }}, our spring teas are in.</p>");
    }

    public void Dispose()
    {
        _h.Dispose();
        _key.Dispose();
    }

    [Fact]
    public async Task A_marketing_message_verifies_with_python3_dkim_and_signs_both_unsubscribe_headers()
    {
        using var host = await LoyaltyTestHost.StartAsync(_h.Settings(
            email => email.AddFlow("promo", flow => flow.On("promo").Marketing().Send("promo")),
            new Dictionary<string, string?>
            {
                ["Loyalty:Email:Dkim:Domain"] = Domain,
                ["Loyalty:Email:Dkim:Selector"] = Selector,
                ["Loyalty:Email:Dkim:PrivateKeyPem"] = _key.ExportRSAPrivateKeyPem(),
            }));
        await EngineHarness.PublishAsync(host, EngineHarness.Custom("promo", "promo-1", "cust-mei", Start, EngineHarness.Customer("mei@example.com", "美玲")));

        await EngineHarness.DispatchAsync(host);

        await _h.Smtp.WaitForMessagesAsync(1, EngineHarness.MailTimeout);
        var raw = EngineHarness.RawMessages(_h.Smtp).Single();
        (await VerifyAsync(raw)).Should().Be("True");

        using var stream = new MemoryStream(raw);
        var message = await MimeMessage.LoadAsync(stream);
        message.Headers["List-Unsubscribe"].Should().MatchRegex("^<https://shop\\.example/loyalty/unsubscribe/[^>]+>$");
        message.Headers["List-Unsubscribe-Post"].Should().Be("List-Unsubscribe=One-Click");
        SignedHeaderNames(message).Should().Contain(["list-unsubscribe", "list-unsubscribe-post", "from", "subject", "message-id"]);
    }

    private static List<string> SignedHeaderNames(MimeMessage message)
    {
        var signature = message.Headers[HeaderId.DkimSignature] ?? throw new InvalidOperationException("no DKIM-Signature");
        var tag = signature.Split(';').Select(t => t.Trim()).Single(t => t.StartsWith("h=", StringComparison.Ordinal));
        return [.. string.Concat(tag[2..].Where(c => !char.IsWhiteSpace(c))).ToLowerInvariant().Split(':')];
    }

    /// <summary>python3-dkim's verifier, with the DNS lookup answered from the test key; prints True or False.</summary>
    private async Task<string> VerifyAsync(byte[] raw)
    {
        var start = new ProcessStartInfo("/usr/bin/python3")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("-I");
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add("""
            import dkim, sys
            record = sys.argv[1].encode()
            name = ("%s._domainkey.%s." % (sys.argv[2], sys.argv[3])).encode()
            def dns(qname, timeout=5):
                return record if qname == name else None
            print(dkim.verify(sys.stdin.buffer.read(), dnsfunc=dns))
            """);
        start.ArgumentList.Add("v=DKIM1; k=rsa; p=" + Convert.ToBase64String(_key.ExportSubjectPublicKeyInfo()));
        start.ArgumentList.Add(Selector);
        start.ArgumentList.Add(Domain);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.StandardInput.BaseStream.WriteAsync(raw);
        process.StandardInput.Close();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await process.WaitForExitAsync(timeout.Token);
        process.ExitCode.Should().Be(0, await stderr);
        return (await stdout).Trim();
    }
}
