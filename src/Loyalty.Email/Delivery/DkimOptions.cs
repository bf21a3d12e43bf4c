using System.Collections.ObjectModel;
using System.ComponentModel.DataAnnotations;

namespace Loyalty.Email.Delivery;

/// <summary>
/// The DKIM key Loyalty signs outgoing mail with, bound from <c>Loyalty:Email:Dkim</c>. Publish the public half as
/// the TXT record <c>{Selector}._domainkey.{Domain}</c> = <c>v=DKIM1; k=rsa; p=...</c>.
/// </summary>
public sealed class DkimOptions : IValidatableObject
{
    /// <summary>The configuration section these options are bound from.</summary>
    public const string SectionName = "Loyalty:Email:Dkim";

    /// <summary>
    /// The header fields signed when <see cref="HeadersToSign"/> is not set. A listed field that a message lacks is
    /// signed as absent (RFC 6376 §5.4), so nobody can add it on the way either.
    /// </summary>
    public static IReadOnlyList<string> DefaultHeadersToSign { get; } = new ReadOnlyCollection<string>(
    [
        "From", "To", "Subject", "Date", "Message-ID", "List-Unsubscribe", "List-Unsubscribe-Post", "MIME-Version",
        "Content-Type",
    ]);

    private static readonly string[] ForbiddenHeaders =
        ["Return-Path", "Received", "Comments", "Keywords", "Bcc", "Resent-Bcc", "DKIM-Signature"];

    /// <summary>The signing domain (the <c>d=</c> tag), normally the domain of the From address.</summary>
    [Required(AllowEmptyStrings = false)]
    public string Domain { get; set; } = string.Empty;

    /// <summary>The selector (the <c>s=</c> tag) under which the public key is published.</summary>
    [Required(AllowEmptyStrings = false)]
    public string Selector { get; set; } = string.Empty;

    /// <summary>The RSA private key as PEM (PKCS#1 or PKCS#8). Set this or <see cref="PrivateKeyPath"/>.</summary>
    public string? PrivateKeyPem { get; set; }

    /// <summary>A file holding the RSA private key as PEM. Set this or <see cref="PrivateKeyPem"/>.</summary>
    public string? PrivateKeyPath { get; set; }

    /// <summary>The header fields to sign; <see cref="DefaultHeadersToSign"/> when null. Must include From.</summary>
    public IReadOnlyList<string>? HeadersToSign { get; set; }

    /// <inheritdoc />
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (string.IsNullOrWhiteSpace(PrivateKeyPem) == string.IsNullOrWhiteSpace(PrivateKeyPath))
        {
            yield return new ValidationResult(
                "Set exactly one of PrivateKeyPem and PrivateKeyPath.", [nameof(PrivateKeyPem), nameof(PrivateKeyPath)]);
        }

        if (HeadersToSign is { } headers)
        {
            if (!headers.Contains("From", StringComparer.OrdinalIgnoreCase))
            {
                yield return new ValidationResult("HeadersToSign must include From (RFC 6376 §5.4).", [nameof(HeadersToSign)]);
            }

            foreach (var header in headers.Where(h => string.IsNullOrWhiteSpace(h) || ForbiddenHeaders.Contains(h, StringComparer.OrdinalIgnoreCase)))
            {
                yield return new ValidationResult($"HeadersToSign must not include '{header}'.", [nameof(HeadersToSign)]);
            }
        }
    }
}
