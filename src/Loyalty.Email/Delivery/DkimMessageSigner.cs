using System.ComponentModel.DataAnnotations;
using System.Text;
using Microsoft.Extensions.Options;
using MimeKit;
using MimeKit.Cryptography;

namespace Loyalty.Email.Delivery;

/// <summary>
/// Signs messages with DKIM (rsa-sha256, relaxed/relaxed) using MimeKit's <see cref="DkimSigner"/>. Sign last, just
/// before the transport: the message is prepared for the transport's encoding first, so nothing the transport does
/// afterwards changes a signed byte. Thread-safe; the key is read once.
/// </summary>
public sealed class DkimMessageSigner
{
    private readonly TimestampedDkimSigner _signer;
    private readonly string[] _headers;
    private readonly FormatOptions _format;

    /// <summary>Reads the key and validates the options.</summary>
    /// <param name="options">Domain, selector, key and the headers to sign.</param>
    /// <param name="timeProvider">The clock for the <c>t=</c> tag.</param>
    /// <exception cref="ValidationException">The options are not valid.</exception>
    /// <exception cref="InvalidOperationException">The private key cannot be read.</exception>
    public DkimMessageSigner(IOptions<DkimOptions> options, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(timeProvider);
        var value = options.Value;
        Validator.ValidateObject(value, new ValidationContext(value), validateAllProperties: true);
        Domain = value.Domain;
        Selector = value.Selector;
        _headers = [.. value.HeadersToSign ?? DkimOptions.DefaultHeadersToSign];
        _format = FormatOptions.Default.Clone();
        _format.NewLineFormat = NewLineFormat.Dos;
        try
        {
            using var key = value.PrivateKeyPem is { Length: > 0 } pem
                ? new MemoryStream(Encoding.ASCII.GetBytes(pem))
                : (Stream)File.OpenRead(value.PrivateKeyPath!);
            _signer = new TimestampedDkimSigner(key, value.Domain, value.Selector, timeProvider)
            {
                HeaderCanonicalizationAlgorithm = DkimCanonicalizationAlgorithm.Relaxed,
                BodyCanonicalizationAlgorithm = DkimCanonicalizationAlgorithm.Relaxed,
            };
        }
        catch (Exception ex) when (ex is FormatException or IOException or UnauthorizedAccessException or InvalidCastException)
        {
            throw new InvalidOperationException($"The DKIM private key for selector '{value.Selector}' of '{value.Domain}' cannot be read: {ex.Message}", ex);
        }
    }

    /// <summary>The signing domain.</summary>
    public string Domain { get; }

    /// <summary>The selector.</summary>
    public string Selector { get; }

    /// <summary>The header fields every signature covers, in <c>h=</c> order.</summary>
    public IReadOnlyList<string> SignedHeaders => _headers;

    /// <summary>
    /// Signs <paramref name="message"/> in place: cleans subject and display names, replaces any earlier
    /// DKIM-Signature, prepares the body for <paramref name="constraint"/> and adds the signature. Change nothing
    /// afterwards. <see cref="EncodingConstraint.SevenBit"/> (the default) is safe for every SMTP server; MailKit
    /// never re-encodes a body that is already 7-bit.
    /// </summary>
    public void Sign(MimeMessage message, EncodingConstraint constraint = EncodingConstraint.SevenBit)
    {
        ArgumentNullException.ThrowIfNull(message);
        HeaderSafety.Apply(message);
        while (message.Headers.Contains(HeaderId.DkimSignature))
        {
            message.Headers.Remove(HeaderId.DkimSignature);
        }

        message.Prepare(constraint);
        _signer.Sign(_format, message, _headers);
    }

    /// <summary>MimeKit's signer with its <c>t=</c> tag read from the <see cref="TimeProvider"/>.</summary>
    private sealed class TimestampedDkimSigner(Stream key, string domain, string selector, TimeProvider time)
        : DkimSigner(key, domain, selector, DkimSignatureAlgorithm.RsaSha256)
    {
        protected override long GetTimestamp() => time.GetUtcNow().ToUnixTimeSeconds();
    }
}
