using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.Logging;

namespace Loyalty.Email.Delivery;

/// <summary>One pooled MailKit client and what the pool knows about it. Used by one sender at a time.</summary>
internal sealed class PooledSmtpConnection : IDisposable
{
    public PooledSmtpConnection(long id, SmtpClient client, DateTimeOffset now)
    {
        Id = id;
        Client = client;
        LastUsed = now;
    }

    /// <summary>A number for the logs.</summary>
    public long Id { get; }

    /// <summary>The client; not thread-safe, so only the sender holding the lease touches it.</summary>
    public SmtpClient Client { get; }

    /// <summary>When the connection last finished a command.</summary>
    public DateTimeOffset LastUsed { get; set; }

    /// <summary>Messages accepted on this connection.</summary>
    public int MessagesSent { get; set; }

    public void Dispose() => Client.Dispose();
}

/// <summary>
/// A bounded pool of SMTP connections. <see cref="ConnectionSlots"/> holds one slot per connection, so at most
/// <see cref="SmtpOptions.PoolSize"/> connections exist (idle plus leased) and a sender waits for a free one, first
/// come first served; a returned connection's slot goes straight to the next waiter.
/// Connections open lazily, are reused most-recently-used first (so the rest can age out), get a NOOP when they have
/// been idle too long, and are replaced after an error or after <see cref="SmtpOptions.MaxMessagesPerConnection"/>.
/// </summary>
internal sealed class SmtpConnectionPool : IAsyncDisposable, IDisposable
{
    private static readonly TimeSpan QuitTimeout = TimeSpan.FromSeconds(5);

    private readonly SmtpOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ConnectionSlots _slots;
    private readonly Lock _gate = new();
    private readonly Stack<PooledSmtpConnection> _idle = new();
    private long _lastId;
    private long _opened;
    private bool _disposed;

    public SmtpConnectionPool(SmtpOptions options, TimeProvider timeProvider, ILogger logger)
    {
        _options = options;
        _time = timeProvider;
        _logger = logger;
        _slots = new ConnectionSlots(options.PoolSize);
    }

    /// <summary>How many connections this pool has opened in its life (for tests and metrics).</summary>
    public long ConnectionsOpened => Interlocked.Read(ref _opened);

    /// <summary>How many connections are idle right now.</summary>
    public int IdleCount
    {
        get
        {
            lock (_gate)
            {
                return _idle.Count;
            }
        }
    }

    /// <summary>
    /// Waits for a free slot and returns a connected client. Every lease must end with <see cref="ReturnAsync"/>.
    /// Throws when no connection can be opened (the caller maps that to a transient failure).
    /// </summary>
    public async Task<PooledSmtpConnection> RentAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed), this);
        await _slots.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            while (TakeIdle() is { } idle)
            {
                if (await IsUsableAsync(idle, cancellationToken).ConfigureAwait(false))
                {
                    return idle;
                }
            }

            return await OpenAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            _slots.Release();
            throw;
        }
    }

    /// <summary>Ends a lease: a healthy connection goes back to the pool, any other is closed.</summary>
    public async ValueTask ReturnAsync(PooledSmtpConnection connection, bool healthy)
    {
        try
        {
            if (!healthy || !connection.Client.IsConnected)
            {
                _logger.ConnectionClosed(connection.Id, "not reusable after an error");
                connection.Dispose();
                return;
            }

            if (connection.MessagesSent >= _options.MaxMessagesPerConnection)
            {
                await QuitAsync(connection, "message limit reached").ConfigureAwait(false);
                return;
            }

            connection.LastUsed = _time.GetUtcNow();
            lock (_gate)
            {
                if (!_disposed)
                {
                    _idle.Push(connection);
                    return;
                }
            }

            await QuitAsync(connection, "pool disposed").ConfigureAwait(false);
        }
        finally
        {
            _slots.Release();
        }
    }

    /// <summary>
    /// Closes every idle connection without QUIT. Called after a connection failed: when the server went away, its
    /// siblings are dead too, and the next sender should open a fresh one rather than fail on each of them in turn.
    /// </summary>
    public void DropIdle()
    {
        List<PooledSmtpConnection> dropped;
        lock (_gate)
        {
            dropped = [.. _idle];
            _idle.Clear();
        }

        foreach (var connection in dropped)
        {
            connection.Dispose();
        }

        if (dropped.Count > 0)
        {
            _logger.IdleConnectionsDropped(dropped.Count);
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        foreach (var connection in MarkDisposed())
        {
            await QuitAsync(connection, "pool disposed").ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var connection in MarkDisposed())
        {
            try
            {
                connection.Client.Disconnect(quit: true);
            }
            catch (Exception ex) when (SmtpErrors.IsConnectionFailure(ex))
            {
                // Closing anyway; a server that does not answer QUIT changes nothing.
            }

            connection.Dispose();
        }
    }

    private List<PooledSmtpConnection> MarkDisposed()
    {
        lock (_gate)
        {
            _disposed = true;
            List<PooledSmtpConnection> idle = [.. _idle];
            _idle.Clear();
            return idle;
        }
    }

    private PooledSmtpConnection? TakeIdle()
    {
        lock (_gate)
        {
            return _idle.TryPop(out var connection) ? connection : null;
        }
    }

    private async Task<bool> IsUsableAsync(PooledSmtpConnection connection, CancellationToken cancellationToken)
    {
        if (!connection.Client.IsConnected)
        {
            connection.Dispose();
            return false;
        }

        var idle = _time.GetUtcNow() - connection.LastUsed;
        if (idle <= _options.IdleRecycleAfter)
        {
            return true;
        }

        _logger.ConnectionIdleCheck(connection.Id, idle);
        try
        {
            await connection.Client.NoOpAsync(cancellationToken).ConfigureAwait(false);
            connection.LastUsed = _time.GetUtcNow();
            return true;
        }
        catch (Exception ex) when (SmtpErrors.IsConnectionFailure(ex) && !cancellationToken.IsCancellationRequested)
        {
            _logger.ConnectionDiscarded(connection.Id, ex);
            connection.Dispose();
            return false;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    private async Task<PooledSmtpConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var client = new SmtpClient { Timeout = (int)_options.CommandTimeout.TotalMilliseconds };
        if (!string.IsNullOrWhiteSpace(_options.LocalDomain))
        {
            client.LocalDomain = _options.LocalDomain;
        }

        if (_options.AcceptAnyCertificate)
        {
            client.ServerCertificateValidationCallback = static (_, _, _, _) => true;
        }

        var connection = new PooledSmtpConnection(Interlocked.Increment(ref _lastId), client, _time.GetUtcNow());
        using var timeout = new CancellationTokenSource(_options.ConnectTimeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        try
        {
            // Our own socket with Nagle's algorithm off: SMTP is a chatty request/reply protocol, and with Nagle on each
            // pipelined command waits for the server's delayed ACK (~40 ms per message on loopback, measured).
            var socket = new System.Net.Sockets.Socket(System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(_options.Host, _options.Port, linked.Token).ConfigureAwait(false);
            }
            catch
            {
                socket.Dispose();
                throw;
            }

            await client.ConnectAsync(socket, _options.Host, _options.Port, ToMailKit(_options.Security), linked.Token).ConfigureAwait(false);
            if (!string.IsNullOrEmpty(_options.UserName))
            {
                await client.AuthenticateAsync(_options.UserName, _options.Password ?? string.Empty, linked.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            connection.Dispose();
            throw new TimeoutException($"Connecting to {_options.Host}:{_options.Port} took longer than {_options.ConnectTimeout}.");
        }
        catch
        {
            connection.Dispose();
            throw;
        }

        Interlocked.Increment(ref _opened);
        connection.LastUsed = _time.GetUtcNow();
        _logger.ConnectionOpened(connection.Id, _options.Host, _options.Port);
        return connection;
    }

    private async Task QuitAsync(PooledSmtpConnection connection, string reason)
    {
        using var timeout = new CancellationTokenSource(QuitTimeout, _time);
        try
        {
            await connection.Client.DisconnectAsync(quit: true, timeout.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (SmtpErrors.IsConnectionFailure(ex))
        {
            // Closing anyway; a server that does not answer QUIT changes nothing.
        }

        _logger.ConnectionClosed(connection.Id, reason);
        connection.Dispose();
    }

    private static SecureSocketOptions ToMailKit(SmtpSecurity security) => security switch
    {
        SmtpSecurity.None => SecureSocketOptions.None,
        SmtpSecurity.StartTls => SecureSocketOptions.StartTls,
        SmtpSecurity.SslOnConnect => SecureSocketOptions.SslOnConnect,
        _ => SecureSocketOptions.Auto,
    };
}
