using System.ComponentModel.DataAnnotations;
using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using Loyalty.Email.Delivery;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using MimeKit;

namespace Loyalty.Email.Tests.Delivery;

/// <summary>
/// DKIM signatures made by <see cref="DkimMessageSigner"/>, sent through a real SMTP server
/// (<see cref="AiosmtpdServer"/>) and verified by an independent implementation (Debian's python3-dkim).
/// </summary>
public sealed class DkimMessageSignerTests : IAsyncLifetime, IDisposable
{
    private const string Domain = "shop.example";
    private const string Selector = "loyalty2026";
    private readonly RSA _key = RSA.Create(2048);
    private AiosmtpdServer _server = null!;

    public async Task InitializeAsync() => _server = await AiosmtpdServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    public void Dispose() => _key.Dispose();

    [Fact]
    public async Task A_signed_message_verifies_after_passing_through_a_real_smtp_server_and_covers_list_unsubscribe()
    {
        var message = ShopMessage();
        Signer(_key.ExportRSAPrivateKeyPem()).Sign(message);

        var received = await SendAsync(message);

        (await VerifyAsync(received.Raw)).Should().Be("True");
        var signedHeaders = SignedHeaderNames(received.Raw);
        signedHeaders.Should().Contain(["from", "subject", "message-id", "list-unsubscribe", "list-unsubscribe-post"]);
    }

    [Fact]
    public async Task A_pkcs8_key_signs_too()
    {
        var message = ShopMessage();
        Signer(_key.ExportPkcs8PrivateKeyPem()).Sign(message);

        var received = await SendAsync(message);

        (await VerifyAsync(received.Raw)).Should().Be("True");
    }

    [Fact]
    public async Task A_key_read_from_a_file_signs_too()
    {
        var path = Path.Combine(Path.GetTempPath(), "loyalty-dkim-" + Guid.NewGuid().ToString("N") + ".pem");
        await File.WriteAllTextAsync(path, _key.ExportRSAPrivateKeyPem());
        try
        {
            var signer = new DkimMessageSigner(
                Options.Create(new DkimOptions { Domain = Domain, Selector = Selector, PrivateKeyPath = path }),
                TimeProvider.System);
            var message = ShopMessage();
            signer.Sign(message);

            (await VerifyAsync((await SendAsync(message)).Raw)).Should().Be("True");
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task A_message_changed_after_signing_no_longer_verifies()
    {
        var message = ShopMessage();
        Signer(_key.ExportRSAPrivateKeyPem()).Sign(message);
        var received = await SendAsync(message);

        var tampered = Encoding.UTF8.GetBytes(received.Text.Replace("https://shop.example/u/", "https://evil.example/u/", StringComparison.Ordinal));

        (await VerifyAsync(tampered)).Should().Be("False");
    }

    [Fact]
    public async Task Signing_twice_leaves_one_signature()
    {
        var message = ShopMessage();
        var signer = Signer(_key.ExportRSAPrivateKeyPem());
        signer.Sign(message);
        signer.Sign(message);

        var received = await SendAsync(message);

        message.Headers.Count(h => h.Id == HeaderId.DkimSignature).Should().Be(1);
        (await VerifyAsync(received.Raw)).Should().Be("True");
    }

    [Fact]
    public void The_signature_is_timestamped_from_the_time_provider()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 22, 8, 0, 0, TimeSpan.Zero));
        var signer = new DkimMessageSigner(Options.Create(KeyOptions(_key.ExportRSAPrivateKeyPem())), clock);
        var message = ShopMessage();

        signer.Sign(message);

        message.Headers[HeaderId.DkimSignature].Should()
            .Contain("t=" + clock.GetUtcNow().ToUnixTimeSeconds())
            .And.Contain("a=rsa-sha256")
            .And.Contain("c=relaxed/relaxed")
            .And.Contain("d=shop.example")
            .And.Contain("s=loyalty2026");
    }

    [Fact]
    public void Options_need_exactly_one_key_source()
    {
        var both = () => new DkimMessageSigner(
            Options.Create(new DkimOptions { Domain = Domain, Selector = Selector, PrivateKeyPem = "x", PrivateKeyPath = "y" }),
            TimeProvider.System);
        var none = () => new DkimMessageSigner(
            Options.Create(new DkimOptions { Domain = Domain, Selector = Selector }),
            TimeProvider.System);

        both.Should().Throw<ValidationException>();
        none.Should().Throw<ValidationException>();
    }

    [Fact]
    public void Headers_to_sign_must_include_from_and_never_bcc()
    {
        var withoutFrom = KeyOptions(_key.ExportRSAPrivateKeyPem());
        withoutFrom.HeadersToSign = ["Subject"];
        var withBcc = KeyOptions(_key.ExportRSAPrivateKeyPem());
        withBcc.HeadersToSign = ["From", "Bcc"];

        ((Action)(() => _ = new DkimMessageSigner(Options.Create(withoutFrom), TimeProvider.System))).Should().Throw<ValidationException>();
        ((Action)(() => _ = new DkimMessageSigner(Options.Create(withBcc), TimeProvider.System))).Should().Throw<ValidationException>();
    }

    [Fact]
    public void A_key_that_is_not_pem_fails_at_construction_with_a_clear_error()
    {
        var build = () => Signer("-----BEGIN RSA PRIVATE KEY-----\nbm90IGEga2V5\n-----END RSA PRIVATE KEY-----\n");

        build.Should().Throw<InvalidOperationException>().WithMessage("*DKIM private key*loyalty2026*");
    }

    private static DkimOptions KeyOptions(string pem) => new() { Domain = Domain, Selector = Selector, PrivateKeyPem = pem };

    private static DkimMessageSigner Signer(string pem) => new(Options.Create(KeyOptions(pem)), TimeProvider.System);

    private static MimeMessage ShopMessage()
    {
        var message = TestMessages.To("ann@example.net", subject: "ขอบคุณ — 謝謝您的訂單 — thank you");
        message.Headers.Add("List-Unsubscribe", "<https://shop.example/u/abc123>, <mailto:unsubscribe@shop.example?subject=abc123>");
        message.Headers.Add("List-Unsubscribe-Post", "List-Unsubscribe=One-Click");
        message.Body = new BodyBuilder
        {
            TextBody = "ขอบคุณที่สั่งซื้อ\n謝謝您的訂單\nA line with trailing spaces   \n\n\n",
            HtmlBody = "<p>ขอบคุณที่สั่งซื้อ</p><p>謝謝您的訂單</p>",
        }.ToMessageBody();
        return message;
    }

    private async Task<ReceivedMessage> SendAsync(MimeMessage message)
    {
        await using var transport = new SmtpEmailTransport(
            Options.Create(new SmtpOptions { Host = "127.0.0.1", Port = _server.Port, Security = SmtpSecurity.None, PoolSize = 1 }),
            TimeProvider.System,
            NullLogger<SmtpEmailTransport>.Instance);
        (await transport.SendAsync(message, CancellationToken.None)).Outcome.Should().Be(DeliveryOutcome.Delivered);
        return _server.Messages[^1];
    }

    private static List<string> SignedHeaderNames(byte[] raw)
    {
        using var stream = new MemoryStream(raw);
        var signature = MimeMessage.Load(stream).Headers[HeaderId.DkimSignature] ?? throw new InvalidOperationException("no DKIM-Signature");
        var tag = signature.Split(';').Select(t => t.Trim()).Single(t => t.StartsWith("h=", StringComparison.Ordinal));
        return [.. string.Concat(tag[2..].Where(c => !char.IsWhiteSpace(c))).Split(':')];
    }

    /// <summary>Runs python3-dkim's verifier with a DNS lookup answered from the test key; prints True or False.</summary>
    private async Task<string> VerifyAsync(byte[] raw)
    {
        var record = "v=DKIM1; k=rsa; p=" + Convert.ToBase64String(_key.ExportSubjectPublicKeyInfo());
        var start = new ProcessStartInfo(AiosmtpdServer.Python)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add("""
            import dkim, sys
            name = ("%s._domainkey.%s." % (sys.argv[2], sys.argv[3])).encode()
            def dns(qname, timeout=5):
                return sys.argv[1].encode() if qname == name else None
            print(dkim.verify(sys.stdin.buffer.read(), dnsfunc=dns))
            """);
        start.ArgumentList.Add(record);
        start.ArgumentList.Add(Selector);
        start.ArgumentList.Add(Domain);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.StandardInput.BaseStream.WriteAsync(raw);
        process.StandardInput.Close();
        await process.WaitForExitAsync();
        process.ExitCode.Should().Be(0, await stderr);
        return (await stdout).Trim();
    }
}
