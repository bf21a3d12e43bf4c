using System.Buffers.Binary;
using System.ComponentModel.DataAnnotations;
using System.Security.Cryptography;
using System.Text;
using Loyalty.Links;

namespace Loyalty.Email.Links;

/// <summary>Keys for signed links. Bound from <c>Loyalty:Links</c>.</summary>
public sealed class SignedLinkOptions
{
    /// <summary>
    /// Keys by id (one character or digit each, e.g. "1", "2"), base64, at least 32 bytes. Every key verifies;
    /// only <see cref="CurrentKeyId"/> signs, so rotating is: add a key, make it current, retire the old one later.
    /// </summary>
    public IDictionary<string, string> Keys { get; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>The key that signs new tokens.</summary>
    [Required(AllowEmptyStrings = false)]
    public string CurrentKeyId { get; set; } = "1";
}

/// <summary>
/// HMAC-SHA256 tokens bound to a purpose, a subject and an expiry, with a key id for rotation. The token is
/// <c>kid + base64url(payload) + "." + base64url(mac[..16])</c>; verification is constant-time and any failure
/// looks the same to the caller (null), never saying which part failed.
/// </summary>
public sealed class SignedLinkTokens : ISignedLinks
{
    private const int MacBytes = 16;
    private readonly Dictionary<string, byte[]> _keys;
    private readonly string _currentKeyId;
    private readonly TimeProvider _time;

    /// <summary>Creates the service over validated keys.</summary>
    public SignedLinkTokens(Microsoft.Extensions.Options.IOptions<SignedLinkOptions> options, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(time);
        var value = options.Value;
        _time = time;
        _keys = value.Keys.ToDictionary(k => k.Key, k => Convert.FromBase64String(k.Value), StringComparer.Ordinal);
        _currentKeyId = value.CurrentKeyId;
        if (!_keys.ContainsKey(_currentKeyId))
        {
            throw new InvalidOperationException($"Loyalty:Links:CurrentKeyId '{_currentKeyId}' is not one of the configured keys.");
        }

        if (_keys.Any(k => k.Key.Length != 1 || !char.IsAsciiLetterOrDigit(k.Key[0]) || k.Value.Length < 32))
        {
            throw new InvalidOperationException("Loyalty:Links:Keys: each key id must be one letter or digit and each key at least 32 bytes (base64).");
        }
    }

    /// <summary>Issues a token for <paramref name="purpose"/> and <paramref name="subject"/>, valid for <paramref name="lifetime"/>.</summary>
    public string Issue(LinkPurpose purpose, string subject, TimeSpan lifetime)
    {
        ArgumentNullException.ThrowIfNull(subject);
        var expires = _time.GetUtcNow() + lifetime;
        var subjectBytes = Encoding.UTF8.GetBytes(subject);
        var payload = new byte[1 + 4 + subjectBytes.Length];
        payload[0] = (byte)purpose;
        BinaryPrimitives.WriteUInt32BigEndian(payload.AsSpan(1), (uint)Math.Clamp(expires.ToUnixTimeSeconds(), 0, uint.MaxValue));
        subjectBytes.CopyTo(payload, 5);
        var mac = Mac(_keys[_currentKeyId], _currentKeyId, payload);
        return _currentKeyId + Base64Url(payload) + "." + Base64Url(mac);
    }

    /// <summary>The token's content when it is genuine, of <paramref name="purpose"/> and not expired; otherwise null.</summary>
    public SignedLink? Verify(string? token, LinkPurpose purpose)
    {
        if (string.IsNullOrEmpty(token) || token.Length > 2048)
        {
            return null;
        }

        var dot = token.LastIndexOf('.');
        if (dot < 2 || !_keys.TryGetValue(token[..1], out var key))
        {
            return null;
        }

        var payload = FromBase64Url(token.AsSpan(1, dot - 1));
        var mac = FromBase64Url(token.AsSpan(dot + 1));
        if (payload is null || mac is null || payload.Length < 5 || mac.Length != MacBytes)
        {
            return null;
        }

        var expected = Mac(key, token[..1], payload);
        if (!CryptographicOperations.FixedTimeEquals(expected, mac))
        {
            return null;
        }

        var expires = DateTimeOffset.FromUnixTimeSeconds(BinaryPrimitives.ReadUInt32BigEndian(payload.AsSpan(1)));
        if ((LinkPurpose)payload[0] != purpose || expires <= _time.GetUtcNow())
        {
            return null;
        }

        string subject;
        try
        {
            subject = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(payload, 5, payload.Length - 5);
        }
        catch (ArgumentException)
        {
            return null;
        }

        return new SignedLink(purpose, subject, expires);
    }

    private static byte[] Mac(byte[] key, string keyId, byte[] payload)
    {
        // The key id is signed too, so a token cannot be moved to another key.
        var input = new byte[payload.Length + 1];
        input[0] = (byte)keyId[0];
        payload.CopyTo(input, 1);
        return HMACSHA256.HashData(key, input).AsSpan(0, MacBytes).ToArray();
    }

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static byte[]? FromBase64Url(ReadOnlySpan<char> text)
    {
        if (text.Length == 0 || text.Length > 2048)
        {
            return null;
        }

        var s = new StringBuilder(text.Length + 3);
        foreach (var c in text)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
            {
                return null;
            }

            s.Append(c switch { '-' => '+', '_' => '/', _ => c });
        }

        while (s.Length % 4 != 0)
        {
            s.Append('=');
        }

        byte[] bytes;
        try
        {
            bytes = Convert.FromBase64String(s.ToString());
        }
        catch (FormatException)
        {
            return null;
        }

        // Only the canonical encoding: the last character's unused low bits are ignored by the decoder, so without
        // this check several different strings would verify as the same token (a malleable token).
        return Base64Url(bytes).AsSpan().SequenceEqual(text) ? bytes : null;
    }
}
