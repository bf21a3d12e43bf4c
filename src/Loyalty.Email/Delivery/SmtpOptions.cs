using System.ComponentModel.DataAnnotations;

namespace Loyalty.Email.Delivery;

/// <summary>How the SMTP connection is secured.</summary>
public enum SmtpSecurity
{
    /// <summary>Plain text, never TLS (a local relay or a test server).</summary>
    None,
    /// <summary>Plain connect, then STARTTLS; fails when the server does not offer it.</summary>
    StartTls,
    /// <summary>TLS from the first byte (usually port 465).</summary>
    SslOnConnect,
    /// <summary>TLS from the first byte on port 465, otherwise STARTTLS when the server offers it.</summary>
    Auto,
}

/// <summary>
/// The SMTP relay Loyalty sends through, bound from <c>Loyalty:Email:Smtp</c>. Validated with DataAnnotations when the
/// transport is built, so a bad value stops the host at start-up rather than failing a send.
/// </summary>
public sealed class SmtpOptions : IValidatableObject
{
    /// <summary>The configuration section these options are bound from.</summary>
    public const string SectionName = "Loyalty:Email:Smtp";

    /// <summary>The relay's host name or IP address.</summary>
    [Required(AllowEmptyStrings = false)]
    public string Host { get; set; } = string.Empty;

    /// <summary>The relay's port; 25 by default (587 for submission, 465 for TLS on connect).</summary>
    [Range(1, 65535)]
    public int Port { get; set; } = 25;

    /// <summary>How the connection is secured; <see cref="SmtpSecurity.Auto"/> by default.</summary>
    [EnumDataType(typeof(SmtpSecurity))]
    public SmtpSecurity Security { get; set; } = SmtpSecurity.Auto;

    /// <summary>The account to authenticate as; no authentication when empty.</summary>
    public string? UserName { get; set; }

    /// <summary>The password of <see cref="UserName"/>.</summary>
    public string? Password { get; set; }

    /// <summary>
    /// How many connections are open at most (and so how many messages are in flight); 8 by default. Each message
    /// waits for a few round trips to the relay, so more connections keep the dispatcher's CPU busy: 8 sent 12% more
    /// per second than 4 on a 2-core machine, with less CPU per message (docs/performance.md). Keep it, times the
    /// number of sending processes, under what the relay accepts from one client (docs/operations.md).
    /// </summary>
    [Range(1, 64)]
    public int PoolSize { get; set; } = 8;

    /// <summary>How long opening a connection (TCP, TLS, EHLO, AUTH) may take; 15 seconds by default.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>How long one SMTP command may wait for its reply; 60 seconds by default.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:30:00")]
    public TimeSpan CommandTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// A connection idle longer than this is checked with NOOP before it is used again (and replaced when the check
    /// fails); 60 seconds by default. Servers drop idle clients after a few minutes (RFC 5321 §4.5.3.2.7).
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan IdleRecycleAfter { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>A connection is closed with QUIT and replaced after sending this many messages; 1000 by default.</summary>
    [Range(1, 1_000_000)]
    public int MaxMessagesPerConnection { get; set; } = 1000;

    /// <summary>Accept any server certificate. For test servers only; false by default.</summary>
    public bool AcceptAnyCertificate { get; set; }

    /// <summary>The name given in EHLO; the machine's host name when empty.</summary>
    public string? LocalDomain { get; set; }

    /// <inheritdoc />
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!string.IsNullOrEmpty(UserName) && Password is null)
        {
            yield return new ValidationResult("A Password is required when a UserName is set.", [nameof(Password)]);
        }
    }
}
