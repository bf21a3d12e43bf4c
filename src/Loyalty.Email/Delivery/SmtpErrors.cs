using System.Globalization;
using System.Net.Sockets;
using MailKit;
using MailKit.Net.Smtp;
using MailKit.Security;

namespace Loyalty.Email.Delivery;

/// <summary>Turns what MailKit throws into what the dispatcher needs to know.</summary>
internal static class SmtpErrors
{
    /// <summary>
    /// True for errors of the connection rather than of the message: the connection is discarded, the message is
    /// retried later on a new one. An <see cref="OperationCanceledException"/> counts only when the caller did not
    /// cancel (callers check their own token first).
    /// </summary>
    public static bool IsConnectionFailure(Exception exception) => exception is
        ProtocolException            // SmtpProtocolException: the server hung up or spoke nonsense
        or IOException
        or SocketException
        or TimeoutException
        or OperationCanceledException
        or ServiceNotConnectedException
        or ServiceNotAuthenticatedException
        or AuthenticationException   // wrong credentials are a configuration problem, not the recipient's
        or SslHandshakeException
        or SmtpCommandException;     // a 421/554 greeting while connecting

    /// <summary>Maps a reply the server gave to a command of this message.</summary>
    public static DeliveryResult FromCommand(SmtpCommandException exception)
    {
        var code = (int)exception.StatusCode;
        var reason = (code.ToString(CultureInfo.InvariantCulture) + " " + exception.Message).Trim();
        if (code is >= 500 and < 600)
        {
            var hardBounce = exception.ErrorCode == SmtpErrorCode.RecipientNotAccepted && IsAddressProblem(code, exception.Message);
            return new DeliveryResult(DeliveryOutcome.PermanentFailure, reason, hardBounce);
        }

        return new DeliveryResult(DeliveryOutcome.TransientFailure, reason);
    }

    /// <summary>Maps a failure of the connection.</summary>
    public static DeliveryResult FromConnection(Exception exception) =>
        new(DeliveryOutcome.TransientFailure, exception.GetType().Name + ": " + exception.Message);

    /// <summary>
    /// True when a refused RCPT says the address itself is bad. An enhanced status code (RFC 3463) decides when the
    /// server gives one: only 5.1.x (bad mailbox or domain) is about the address, while for example
    /// <c>550 5.7.1</c> is a policy refusal of the sender that must not suppress a good customer. Without one,
    /// 550/551/553 are taken as the address.
    /// </summary>
    internal static bool IsAddressProblem(int code, string? text)
    {
        if (TryReadEnhancedStatus(text, out var statusClass, out var subject))
        {
            return statusClass == 5 && subject == 1;
        }

        return code is 550 or 551 or 553;
    }

    private static bool TryReadEnhancedStatus(string? text, out int statusClass, out int subject)
    {
        statusClass = 0;
        subject = 0;
        var span = (text ?? string.Empty).AsSpan().TrimStart();
        var firstDot = span.IndexOf('.');
        if (firstDot != 1 || !char.IsAsciiDigit(span[0]))
        {
            return false;
        }

        var rest = span[2..];
        var secondDot = rest.IndexOf('.');
        if (secondDot is < 1 or > 3 || !int.TryParse(rest[..secondDot], NumberStyles.None, CultureInfo.InvariantCulture, out subject))
        {
            return false;
        }

        var detail = rest[(secondDot + 1)..];
        if (detail.IsEmpty || !char.IsAsciiDigit(detail[0]))
        {
            return false;
        }

        statusClass = span[0] - '0';
        return true;
    }
}
