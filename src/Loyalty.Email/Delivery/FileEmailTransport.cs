using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MimeKit;

namespace Loyalty.Email.Delivery;

/// <summary>
/// A development transport: writes each message as an .eml file into <see cref="FileTransportOptions.Directory"/>
/// instead of sending it, for the sample storefront's mailbox page (read them with <see cref="MailboxReader"/>).
/// A file appears whole or not at all: it is written under a temporary name and then renamed. Thread-safe.
/// </summary>
public sealed class FileEmailTransport : IEmailTransport
{
    private readonly string _directory;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly FormatOptions _format;

    /// <summary>Creates the transport.</summary>
    /// <param name="options">The folder; validated here.</param>
    /// <param name="timeProvider">The clock for the file names.</param>
    /// <param name="logger">Where written files are logged.</param>
    /// <exception cref="ValidationException">The options are not valid.</exception>
    public FileEmailTransport(IOptions<FileTransportOptions> options, TimeProvider timeProvider, ILogger<FileEmailTransport> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(timeProvider);
        ArgumentNullException.ThrowIfNull(logger);
        Validator.ValidateObject(options.Value, new ValidationContext(options.Value), validateAllProperties: true);
        _directory = Path.GetFullPath(options.Value.Directory);
        _time = timeProvider;
        _logger = logger;
        _format = FormatOptions.Default.Clone();
        _format.NewLineFormat = NewLineFormat.Dos;
    }

    /// <inheritdoc />
    /// <exception cref="ArgumentException">The message does not have exactly one recipient in To, Cc and Bcc.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public async Task<DeliveryResult> SendAsync(MimeMessage message, CancellationToken cancellationToken)
    {
        SingleRecipient.Ensure(message, nameof(message));
        HeaderSafety.Apply(message);
        cancellationToken.ThrowIfCancellationRequested();

        var path = Path.Combine(_directory, MailboxFileName.Create(_time.GetUtcNow(), message.MessageId));
        var temporary = Path.Combine(_directory, "." + Guid.NewGuid().ToString("N") + ".tmp");
        try
        {
            Directory.CreateDirectory(_directory);
            var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 16 * 1024, FileOptions.Asynchronous);
            await using (stream.ConfigureAwait(false))
            {
                await message.WriteToAsync(_format, stream, cancellationToken).ConfigureAwait(false);
                await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
            }

            File.Move(temporary, path, overwrite: true);
            _logger.WroteFile(message.MessageId, path);
            return new DeliveryResult(DeliveryOutcome.Delivered, Path.GetFileName(path));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            TryDelete(temporary);
            _logger.FileWriteFailed(message.MessageId, _directory, ex);
            return new DeliveryResult(DeliveryOutcome.TransientFailure, ex.GetType().Name + ": " + ex.Message);
        }
        catch
        {
            TryDelete(temporary);
            throw;
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // A stray temporary file is skipped by the reader and harmless.
        }
    }
}
