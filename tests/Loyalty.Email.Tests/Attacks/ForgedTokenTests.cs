using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Loyalty.Email.Links;
using Loyalty.Links;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Xunit.Abstractions;

namespace Loyalty.Email.Tests.Attacks;

/// <summary>
/// 100,000 forged signed-link tokens (random, bit-flipped, character-swapped, truncated, extended, re-signed with a
/// wrong key, moved to another key id, another purpose, expired): none is accepted, every genuine one is. Key rotation
/// keeps old tokens valid until their key is retired.
/// </summary>
public sealed class ForgedTokenTests(ITestOutputHelper output)
{
    private const string Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    private static readonly DateTimeOffset Start = new(2026, 11, 22, 9, 0, 0, TimeSpan.Zero);
    private static readonly byte[] Key1 = RandomNumberGenerator.GetBytes(32);
    private static readonly byte[] Key2 = RandomNumberGenerator.GetBytes(32);
    private static readonly LinkPurpose[] Purposes = [LinkPurpose.Unsubscribe, LinkPurpose.Review, LinkPurpose.Share, LinkPurpose.Click];

    private static SignedLinkTokens Tokens(FakeTimeProvider clock, string current, params (string Id, byte[] Key)[] keys)
    {
        var options = new SignedLinkOptions { CurrentKeyId = current };
        foreach (var (id, key) in keys)
        {
            options.Keys[id] = Convert.ToBase64String(key);
        }

        return new SignedLinkTokens(Options.Create(options), clock);
    }

    private static string Subject(Random random, int i) => (i % 4) switch
    {
        0 => $"cust-{i}",
        1 => $"cust-{i}|order-{random.Next()}|sku-{random.Next(1000)}|{random.Next(1, 6)}",
        2 => "顧客-" + i + "-ลูกค้า",
        _ => new string(Enumerable.Range(0, random.Next(0, 40)).Select(_ => (char)random.Next(0x20, 0x7F)).ToArray()),
    };

    /// <summary>The token format, written independently of the implementation: kid + b64url(payload) + "." + b64url(mac[..16]).</summary>
    private static string Forge(string keyId, byte[] key, LinkPurpose purpose, string subject, DateTimeOffset expires)
    {
        var subjectBytes = Encoding.UTF8.GetBytes(subject);
        var payload = new byte[5 + subjectBytes.Length];
        payload[0] = (byte)purpose;
        BinaryPrimitives.WriteUInt32BigEndian(payload.AsSpan(1), (uint)expires.ToUnixTimeSeconds());
        subjectBytes.CopyTo(payload, 5);
        var mac = HMACSHA256.HashData(key, (byte[])[(byte)keyId[0], .. payload]).AsSpan(0, 16).ToArray();
        return keyId + B64(payload) + "." + B64(mac);
    }

    private static string B64(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static byte[] UnB64(string text)
    {
        var s = text.Replace('-', '+').Replace('_', '/');
        return Convert.FromBase64String(s.PadRight(s.Length + ((4 - (s.Length % 4)) % 4), '='));
    }

    private static string FlipOneBit(Random random, string token)
    {
        var dot = token.LastIndexOf('.');
        var payload = UnB64(token[1..dot]);
        var mac = UnB64(token[(dot + 1)..]);
        var all = payload.Concat(mac).ToArray();
        var bit = random.Next(all.Length * 8);
        all[bit / 8] ^= (byte)(1 << (bit % 8));
        return token[..1] + B64(all[..payload.Length]) + "." + B64(all[payload.Length..]);
    }

    private static string SwapOneCharacter(Random random, string token)
    {
        var chars = token.ToCharArray();
        var at = random.Next(chars.Length);
        var original = chars[at];
        do
        {
            chars[at] = random.Next(8) == 0 ? (char)random.Next(0x20, 0x7F) : Alphabet[random.Next(Alphabet.Length)];
        }
        while (chars[at] == original);

        return new string(chars);
    }

    [Fact]
    public void One_hundred_thousand_forged_tokens_are_all_refused_and_every_genuine_token_is_accepted()
    {
        var random = new Random(20261122);
        var clock = new FakeTimeProvider(Start);
        var tokens = Tokens(clock, "1", ("1", Key1), ("2", Key2));
        var genuine = Enumerable.Range(0, 2_000)
            .Select(i => (Purpose: Purposes[i % Purposes.Length], Subject: Subject(random, i)))
            .Select(g => (g.Purpose, g.Subject, Token: tokens.Issue(g.Purpose, g.Subject, TimeSpan.FromDays(30))))
            .ToList();
        var wrongKey = RandomNumberGenerator.GetBytes(32);

        var forged = new List<(string Kind, string Token, LinkPurpose Purpose)>(100_000);
        void Add(string kind, int count, Func<int, (string Token, LinkPurpose Purpose)> make)
        {
            for (var i = 0; i < count; i++)
            {
                var (token, purpose) = make(i);
                forged.Add((kind, token, purpose));
            }
        }

        (string Token, LinkPurpose Purpose, string Subject) Pick() { var g = genuine[random.Next(genuine.Count)]; return (g.Token, g.Purpose, g.Subject); }

        Add("random base64url", 15_000, _ => ("1" + new string(Enumerable.Range(0, random.Next(1, 60)).Select(_ => Alphabet[random.Next(64)]).ToArray())
            + "." + new string(Enumerable.Range(0, 22).Select(_ => Alphabet[random.Next(64)]).ToArray()), Purposes[random.Next(4)]));
        Add("random bytes", 5_000, _ => (Encoding.Latin1.GetString(RandomNumberGenerator.GetBytes(random.Next(0, 120))), Purposes[random.Next(4)]));
        Add("one bit flipped", 20_000, _ => { var g = Pick(); return (FlipOneBit(random, g.Token), g.Purpose); });
        Add("one character swapped", 10_000, _ => { var g = Pick(); return (SwapOneCharacter(random, g.Token), g.Purpose); });
        Add("truncated", 8_000, _ => { var g = Pick(); return (g.Token[..random.Next(0, g.Token.Length)], g.Purpose); });
        Add("extended", 2_000, _ => { var g = Pick(); return (g.Token + Alphabet[random.Next(64)] + (random.Next(2) == 0 ? "" : "=="), g.Purpose); });
        Add("re-signed with a wrong key", 10_000, _ => { var g = Pick(); return (Forge("1", wrongKey, g.Purpose, g.Subject + "x", Start.AddDays(30)), g.Purpose); });
        Add("moved to another key id", 5_000, _ => { var g = Pick(); return ("2" + g.Token[1..], g.Purpose); });
        Add("subject changed, old mac", 5_000, _ =>
        {
            var g = Pick();
            var other = Forge("1", Key1, g.Purpose, g.Subject + "|admin", Start.AddDays(30));
            return (other[..other.LastIndexOf('.')] + g.Token[g.Token.LastIndexOf('.')..], g.Purpose);
        });
        Add("another purpose", 10_000, _ => { var g = Pick(); return (g.Token, Purposes[(Array.IndexOf(Purposes, g.Purpose) + random.Next(1, Purposes.Length)) % Purposes.Length]); });

        forged.Should().HaveCount(90_000);
        var accepted = forged.Where(f => tokens.Verify(f.Token, f.Purpose) is not null).ToList();

        // The last 10,000: genuine tokens that expired (fake clock moved past their expiry).
        var shortLived = Enumerable.Range(0, 10_000)
            .Select(i => (Purpose: Purposes[i % 4], Token: tokens.Issue(Purposes[i % 4], Subject(random, i), TimeSpan.FromMinutes(random.Next(1, 600)))))
            .ToList();
        shortLived.Should().OnlyContain(t => tokens.Verify(t.Token, t.Purpose) != null, "they are genuine before they expire");
        clock.Advance(TimeSpan.FromMinutes(600));
        accepted.AddRange(shortLived.Where(t => tokens.Verify(t.Token, t.Purpose) is not null).Select(t => ("expired", t.Token, t.Purpose)));

        var total = forged.Count + shortLived.Count;
        foreach (var kind in forged.GroupBy(f => f.Kind))
        {
            output.WriteLine($"| {kind.Key} | {kind.Count()} | {accepted.Count(a => a.Kind == kind.Key)} |");
        }

        output.WriteLine($"| expired | {shortLived.Count} | {accepted.Count(a => a.Kind == "expired")} |");
        output.WriteLine($"| total forged | {total} | {accepted.Count} |");
        total.Should().Be(100_000);
        accepted.Select(a => $"{a.Kind}: {a.Token}").Should().BeEmpty("no forged, altered, misdirected or expired token may be accepted");

        // The genuine ones are still valid (30 days, 10 hours passed) and carry their subject and purpose.
        genuine.Where(g => tokens.Verify(g.Token, g.Purpose) is not { } link || link.Subject != g.Subject || link.Purpose != g.Purpose)
            .Should().BeEmpty();
        output.WriteLine($"| genuine (must verify) | {genuine.Count} | {genuine.Count} |");
    }

    [Fact]
    public void A_token_expires_at_its_expiry_to_the_second()
    {
        var clock = new FakeTimeProvider(Start);
        var tokens = Tokens(clock, "1", ("1", Key1));
        var token = tokens.Issue(LinkPurpose.Unsubscribe, "cust-1", TimeSpan.FromHours(1));

        clock.Advance(TimeSpan.FromHours(1) - TimeSpan.FromSeconds(1));
        tokens.Verify(token, LinkPurpose.Unsubscribe).Should().NotBeNull();
        clock.Advance(TimeSpan.FromSeconds(1));
        tokens.Verify(token, LinkPurpose.Unsubscribe).Should().BeNull();
    }

    [Fact]
    public void Key_rotation_keeps_old_tokens_valid_until_the_old_key_is_retired()
    {
        var clock = new FakeTimeProvider(Start);
        var before = Tokens(clock, "1", ("1", Key1));
        var old = Enumerable.Range(0, 100).Select(i => before.Issue(LinkPurpose.Unsubscribe, $"cust-{i}", TimeSpan.FromDays(400))).ToList();

        // Step 1: add key 2 and make it current; key 1 still verifies.
        var rotated = Tokens(clock, "2", ("1", Key1), ("2", Key2));
        var fresh = Enumerable.Range(0, 100).Select(i => rotated.Issue(LinkPurpose.Unsubscribe, $"cust-{i}", TimeSpan.FromDays(400))).ToList();
        fresh.Should().OnlyContain(t => t.StartsWith('2'));
        old.Select(t => rotated.Verify(t, LinkPurpose.Unsubscribe)?.Subject).Should().Equal(Enumerable.Range(0, 100).Select(i => $"cust-{i}"));
        fresh.Should().OnlyContain(t => rotated.Verify(t, LinkPurpose.Unsubscribe) != null);

        // Step 2: retire key 1 (removed from Keys); its tokens stop working, key 2's keep working.
        var retired = Tokens(clock, "2", ("2", Key2));
        old.Should().OnlyContain(t => retired.Verify(t, LinkPurpose.Unsubscribe) == null);
        fresh.Should().OnlyContain(t => retired.Verify(t, LinkPurpose.Unsubscribe) != null);

        // A token of key 1 re-labelled as key 2 is refused (the key id is signed).
        old.Select(t => "2" + t[1..]).Should().OnlyContain(t => retired.Verify(t, LinkPurpose.Unsubscribe) == null);
    }

    [Fact]
    public void A_retired_key_cannot_be_current_and_a_short_key_is_refused_at_start_up()
    {
        var clock = new FakeTimeProvider(Start);
        var notConfigured = () => Tokens(clock, "1", ("2", Key2));
        var shortKey = () => Tokens(clock, "1", ("1", new byte[16]));

        notConfigured.Should().Throw<InvalidOperationException>().WithMessage("*CurrentKeyId*");
        shortKey.Should().Throw<InvalidOperationException>().WithMessage("*32 bytes*");
    }
}
