using System.ComponentModel.DataAnnotations;
using MailKit.Net.Smtp;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MimeKit;

namespace Loyalty.Email.Delivery;

/// <summary>
/// Sends over SMTP through a bounded pool of MailKit connections (see <see cref="SmtpOptions"/>). Thread-safe: any
/// number of callers may send at once; at most <see cref="SmtpOptions.PoolSize"/> messages are in flight and the rest
/// wait for a free connection. Register it as a singleton; disposing it closes the connections with QUIT.
/// </summary>
public sealed class SmtpEmailTransport : IEmailTransport, IAsyncDisposable, IDisposable
{
    private readonly SmtpConnectionPool _pool;
    private readonly ILogger _logger;

    /// <summary>Creates the transport; no connection opens until the first send.</summary>
    /// <param name="options">The relay; validated here, so a bad value fails at start-up.</param>
    /// <param name="timeProvider">The clock for idle checks and timeouts.</param>
    /// <param name="logger">Where connection events and failures are logged.</param>
    /// <exception cref="ValidationException">The options are not valid.</exception>
    public SmtpEmailTransport(IOptions<SmtpOptions> options, TimeProvider timeProvider, ILogger<SmtpEmailTransport> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(timeProvider);
        ArgumentNullException.ThrowIfNull(logger);
        var value = options.Value;
        Validator.ValidateObject(value, new ValidationContext(value), validateAllProperties: true);
        _logger = logger;
        _pool = new SmtpConnectionPool(value, timeProvider, logger);
    }

    /// <summary>The pool behind this transport, for tests.</summary>
    internal SmtpConnectionPool Pool => _pool;

    /// <inheritdoc />
    /// <exception cref="ArgumentException">The message does not have exactly one recipient in To, Cc and Bcc.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    /// <exception cref="ObjectDisposedException">The transport was disposed.</exception>
    public async Task<DeliveryResult> SendAsync(MimeMessage message, CancellationToken cancellationToken)
    {
        SingleRecipient.Ensure(message, nameof(message));
        HeaderSafety.Apply(message);
        cancellationToken.ThrowIfCancellationRequested();

        PooledSmtpConnection connection;
        try
        {
            connection = await _pool.RentAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (SmtpErrors.IsConnectionFailure(ex) && !cancellationToken.IsCancellationRequested)
        {
            return Transient(message, SmtpErrors.FromConnection(ex));
        }

        var healthy = false;
        try
        {
            var reply = await connection.Client.SendAsync(message, cancellationToken).ConfigureAwait(false);
            connection.MessagesSent++;
            healthy = true;
            _logger.Delivered(message.MessageId, reply);
            return new DeliveryResult(DeliveryOutcome.Delivered, reply);
        }
        catch (SmtpCommandException ex)
        {
            // MailKit resets the transaction (RSET) after a refused command, so the connection stays usable.
            healthy = true;
            var result = SmtpErrors.FromCommand(ex);
            if (result.Outcome == DeliveryOutcome.PermanentFailure)
            {
                _logger.PermanentFailure(message.MessageId, result.HardBounce, result.Reason ?? string.Empty);
                return result;
            }

            return Transient(message, result);
        }
        catch (Exception ex) when (SmtpErrors.IsConnectionFailure(ex) && !cancellationToken.IsCancellationRequested)
        {
            _logger.ConnectionDiscarded(connection.Id, ex);
            _pool.DropIdle();
            return Transient(message, SmtpErrors.FromConnection(ex));
        }
        finally
        {
            await _pool.ReturnAsync(connection, healthy).ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync() => _pool.DisposeAsync();

    /// <inheritdoc />
    public void Dispose() => _pool.Dispose();

    private DeliveryResult Transient(MimeMessage message, DeliveryResult result)
    {
        _logger.TransientFailure(message.MessageId, result.Reason ?? string.Empty);
        return result;
    }
}
