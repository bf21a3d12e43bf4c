using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using MimeKit;

namespace Loyalty.Email.Delivery;

/// <summary>One message in the development mailbox.</summary>
/// <param name="Id">The file name without extension; pass it to <see cref="MailboxReader.FindAsync"/>.</param>
/// <param name="WrittenAt">When <see cref="FileEmailTransport"/> wrote it (UTC).</param>
/// <param name="Message">The parsed message.</param>
public sealed record MailboxItem(string Id, DateTimeOffset WrittenAt, MimeMessage Message);

/// <summary>
/// Reads what <see cref="FileEmailTransport"/> wrote, newest first, for the sample storefront's mailbox page and for
/// tests. Only files with the transport's own name pattern are read, so an id can never reach outside the folder.
/// </summary>
public sealed class MailboxReader
{
    private readonly string _directory;
    private readonly ILogger _logger;

    /// <summary>Reads the folder the file transport is configured with.</summary>
    /// <param name="options">The same options as the <see cref="FileEmailTransport"/>.</param>
    /// <param name="logger">Where unreadable files are logged.</param>
    /// <exception cref="ValidationException">The options are not valid.</exception>
    public MailboxReader(IOptions<FileTransportOptions> options, ILogger<MailboxReader> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(logger);
        Validator.ValidateObject(options.Value, new ValidationContext(options.Value), validateAllProperties: true);
        _directory = Path.GetFullPath(options.Value.Directory);
        _logger = logger;
    }

    /// <summary>Reads <paramref name="directory"/> without logging (tests, tools).</summary>
    /// <param name="directory">The folder the file transport writes to.</param>
    public MailboxReader(string directory)
        : this(Options.Create(new FileTransportOptions { Directory = directory }), NullLogger<MailboxReader>.Instance)
    {
    }

    /// <summary>The newest <paramref name="maxCount"/> messages, newest first; empty when the folder does not exist.</summary>
    /// <param name="maxCount">How many at most; 1 or more.</param>
    /// <param name="cancellationToken">Cancels reading.</param>
    public async Task<IReadOnlyList<MailboxItem>> ListAsync(int maxCount = 50, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxCount, 1);
        if (!Directory.Exists(_directory))
        {
            return [];
        }

        var items = new List<MailboxItem>();
        var ids = Directory.EnumerateFiles(_directory, "*" + MailboxFileName.Extension)
            .Select(Path.GetFileNameWithoutExtension)
            .OfType<string>()
            .Where(id => MailboxFileName.TryParse(id, out _))
            .OrderDescending(StringComparer.Ordinal);
        foreach (var id in ids)
        {
            if (items.Count == maxCount)
            {
                break;
            }

            if (await ReadAsync(id, cancellationToken).ConfigureAwait(false) is { } item)
            {
                items.Add(item);
            }
        }

        return items;
    }

    /// <summary>The message with this <see cref="MailboxItem.Id"/>, or null when there is none (or the id is not one of ours).</summary>
    /// <param name="id">An id from <see cref="ListAsync"/>.</param>
    /// <param name="cancellationToken">Cancels reading.</param>
    public Task<MailboxItem?> FindAsync(string id, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(id);
        return MailboxFileName.TryParse(id, out _) ? ReadAsync(id, cancellationToken) : Task.FromResult<MailboxItem?>(null);
    }

    private async Task<MailboxItem?> ReadAsync(string id, CancellationToken cancellationToken)
    {
        MailboxFileName.TryParse(id, out var writtenAt);
        var path = Path.Combine(_directory, id + MailboxFileName.Extension);
        try
        {
            var message = await MimeMessage.LoadAsync(path, cancellationToken).ConfigureAwait(false);
            return new MailboxItem(id, writtenAt, message);
        }
        catch (FileNotFoundException)
        {
            return null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException)
        {
            _logger.MailboxFileUnreadable(path, ex);
            return null;
        }
    }
}
