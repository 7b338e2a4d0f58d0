using System.Runtime.CompilerServices;
using System.Text.Json;
using Vapora.Client.Transports;
using Vapora.Contracts;

namespace Vapora.Client;

/// <summary>
/// One workflow's updates, kept flowing across disconnects: after a network failure, a gateway restart or a
/// "resume" close code it reconnects (to whichever replica the load balancer picks) with exponential backoff and
/// jitter, and resumes after the last version it delivered, so the caller sees every version once, in order.
/// WebSocket first; where WebSockets do not get through, Server-Sent Events (<see cref="WorkflowClientOptions.Transports"/>),
/// with the same resume and give-up rules. Close codes that mean "give up" (not found, forbidden, bad request) end the
/// stream with <see cref="WorkflowStreamClosedException"/>.
/// </summary>
public sealed class WorkflowStream
{
    private readonly WorkflowClientOptions _options;
    private readonly long? _startAfter;
    private int _reading;
    private int _transportIndex;
    private long _lastVersion;
    private int _tokensRefreshed;

    internal WorkflowStream(string workflowId, long? afterVersion, WorkflowClientOptions options)
    {
        if (!WorkflowIds.IsValid(workflowId))
        {
            throw new ArgumentException($"A workflow id is {WorkflowIds.FormatDescription}.", nameof(workflowId));
        }

        ArgumentOutOfRangeException.ThrowIfNegative(afterVersion ?? 0, nameof(afterVersion));
        WorkflowId = workflowId;
        _startAfter = afterVersion;
        _lastVersion = afterVersion ?? 0;
        _options = options;
    }

    /// <summary>The workflow.</summary>
    public string WorkflowId { get; }

    /// <summary>The last version delivered; a reconnect resumes after it.</summary>
    public long LastVersion => Interlocked.Read(ref _lastVersion);

    /// <summary>The workflow's state as of <see cref="LastVersion"/>, once the stream began with the state (no <c>after</c>).</summary>
    public WorkflowState? State { get; private set; }

    /// <summary>Where the stream is.</summary>
    public StreamStatus Status { get; private set; } = StreamStatus.Connecting;

    /// <summary>The transport of the current (or next) connection.</summary>
    public StreamTransport Transport => _options.Transports[_transportIndex];

    /// <summary>Duplicates the server sent and this client dropped by version (the server never should).</summary>
    public long DuplicatesDropped { get; private set; }

    /// <summary>Raised for every delivered update, in order.</summary>
    public event EventHandler<WorkflowUpdate>? UpdateReceived;

    /// <summary>
    /// Raised when the gateway could not continue the stream gap-free (the history after <see cref="LastVersion"/> was
    /// compacted, or the stream was ahead of the store, as after a restore) and sent the current state marked as a reset:
    /// the stream goes on from the state's version, which may be lower than the last one delivered. The state is also
    /// delivered as an update.
    /// </summary>
    public event EventHandler<WorkflowState>? ResetReceived;

    /// <summary>Raised before every reconnect: the caller can show "reconnecting…".</summary>
    public event EventHandler<ReconnectingEventArgs>? Reconnecting;

    /// <summary>Raised when an in-band token refresh failed (<see cref="WorkflowClientOptions.AccessTokenProvider"/>); the stream goes on.</summary>
    public event EventHandler<TokenRefreshFailedEventArgs>? TokenRefreshFailed;

    /// <summary>Tokens refreshed in-band on open sockets, without a reconnect.</summary>
    public int TokensRefreshed => Volatile.Read(ref _tokensRefreshed);

    /// <summary>Raised when <see cref="Status"/> changes.</summary>
    public event EventHandler<StreamStatus>? StatusChanged;

    /// <summary>Runs the stream, raising events, until it ends or <paramref name="cancellationToken"/> fires.</summary>
    public async Task RunAsync(CancellationToken cancellationToken = default)
    {
        await foreach (var _ in ReadAllAsync(cancellationToken))
        {
        }
    }

    /// <summary>The updates, in version order, each once. One reader at a time.</summary>
    public async IAsyncEnumerable<WorkflowUpdate> ReadAllAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        if (Interlocked.Exchange(ref _reading, 1) != 0)
        {
            throw new InvalidOperationException("This stream is already being read.");
        }

        var attempt = 0;
        var unanswered = 0;
        Opened? refused = null; // a token the gateway refused before it ever answered: the next connection must not use it again
        try
        {
            SetStatus(StreamStatus.Connecting);
            while (true)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var opened = await OpenAsync(refused, cancellationToken);
                var (closeCode, reason, error, retryAfter) = (opened.CloseCode, opened.Reason, opened.Error, opened.RetryAfter);
                // An event stream that began is the gateway's answer; a socket has answered once a frame (a pong) came.
                var answered = opened.Connection is not null && Transport == StreamTransport.ServerSentEvents;
                if (opened.Connection is { } connection)
                {
                    var refresh = StartRefresh(connection, opened.Token);
                    await using (connection)
                    await using (refresh)
                    {
                        SetStatus(StreamStatus.Live);
                        while (true)
                        {
                            var received = await connection.ReceiveAsync(cancellationToken);
                            if (received.Frame is not { } frame)
                            {
                                (closeCode, reason, error) = (received.CloseCode, received.Reason, received.Error);
                                break;
                            }

                            answered = true;
                            if (Accept(frame.Span) is { } update)
                            {
                                attempt = 0;
                                UpdateReceived?.Invoke(this, update);
                                yield return update;
                            }
                            else
                            {
                                refresh?.OnControlFrame(frame.Span);
                            }
                        }
                    }
                }

                // A token that expired on a connection that worked: the callback gives a fresh one for the next. One refused
                // before the gateway ever answered was bad, or only too old by the time it arrived (a slow start with a
                // short-lived token): one more try, but only with another token (OpenAsync checks).
                var unauthorizedWithProvider = closeCode == CloseReason.Unauthorized.Code && _options.AccessTokenProvider is not null;
                var renewable = unauthorizedWithProvider && (answered || refused is not { } last || last.Token != opened.Token);
                refused = answered ? null : renewable ? Opened.Refused(closeCode!.Value, reason) with { Token = opened.Token } : refused;

                if (closeCode is { } code && !CloseReason.ShouldResume(code) && !renewable)
                {
                    throw new WorkflowStreamClosedException(WorkflowId, code, reason);
                }

                unanswered = answered || closeCode is not null ? 0 : unanswered + 1;
                if (unanswered >= _options.FallbackAfter && _options.Transports.Count > 1)
                {
                    // This transport does not get through from here (a proxy that breaks WebSockets): the next one may.
                    unanswered = 0;
                    _transportIndex = (_transportIndex + 1) % _options.Transports.Count;
                    if (_transportIndex != 0)
                    {
                        SetStatus(StreamStatus.Reconnecting);
                        Reconnecting?.Invoke(this, new ReconnectingEventArgs(attempt, TimeSpan.Zero, LastVersion, closeCode, reason, error, Transport));
                        continue;
                    }
                }

                attempt++;
                if (_options.MaxReconnectAttempts is { } max && attempt > max)
                {
                    throw new ReconnectLimitExceededException(WorkflowId, max, error);
                }

                var delay = ReconnectBackoff.Delay(attempt, _options.InitialBackoff, _options.MaxBackoff, _options.Random);
                if (retryAfter is { } asked && asked > delay)
                {
                    delay = asked < _options.MaxBackoff ? asked : _options.MaxBackoff;
                }

                SetStatus(StreamStatus.Reconnecting);
                Reconnecting?.Invoke(this, new ReconnectingEventArgs(attempt, delay, LastVersion, closeCode, reason, error, Transport));
                await Task.Delay(delay, _options.TimeProvider, cancellationToken);
            }
        }
        finally
        {
            SetStatus(StreamStatus.Stopped);
            Volatile.Write(ref _reading, 0);
        }
    }

    /// <summary>Parses a frame; returns the update if it is the next one, null for a duplicate or a control frame.</summary>
    private WorkflowUpdate? Accept(ReadOnlySpan<byte> frame)
    {
        if (!WorkflowUpdateHeader.TryRead(frame, out var header) || header.WorkflowId != WorkflowId)
        {
            // A pong or another control frame: not an update.
            return null;
        }

        // A reset is the new start, whatever came before (its version may be lower: the store was restored).
        if (frame.IndexOf("\"reset\":true"u8) >= 0 && TryReadState(frame) is { Reset: true } reset)
        {
            State = reset;
            Interlocked.Exchange(ref _lastVersion, reset.Version);
            ResetReceived?.Invoke(this, reset);
            return reset.ToUpdate();
        }

        if (header.Version <= LastVersion)
        {
            DuplicatesDropped++;
            return null;
        }

        // The first frame of a stream without "after" is the state: keep name and created_at from it.
        if (State is null && _startAfter is null && TryReadState(frame) is { } state)
        {
            State = state;
            Interlocked.Exchange(ref _lastVersion, state.Version);
            return state.ToUpdate();
        }

        var update = JsonSerializer.Deserialize(frame, VaporaJsonContext.Default.WorkflowUpdate)!;
        if (State is { } current)
        {
            State = WorkflowState.From(update, current.Name, current.CreatedAt);
        }

        Interlocked.Exchange(ref _lastVersion, update.Version);
        return update;
    }

    private static WorkflowState? TryReadState(ReadOnlySpan<byte> frame)
    {
        try
        {
            return JsonSerializer.Deserialize(frame, VaporaJsonContext.Default.WorkflowState);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private async Task<Opened> OpenAsync(Opened? refused, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.ConnectTimeout);
        var settings = _options.ConnectionSettings;
        if (_options.AccessTokenProvider is { } provider)
        {
            try
            {
                settings = settings with { AccessToken = await provider(timeout.Token) };
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
            {
                return Opened.Failed(new InvalidOperationException("The access token callback failed: " + ex.Message, ex));
            }

            if (refused is { } last && last.Token == settings.AccessToken)
            {
                // The callback gives the token just refused: it is bad, not late. The gateway's refusal stands.
                return last;
            }
        }

        var opened = Transport == StreamTransport.ServerSentEvents
            ? await EventStreamConnection.OpenAsync(StreamUrl("http", "https", "events"), settings, timeout.Token)
            : await WebSocketStreamConnection.OpenAsync(StreamUrl("ws", "wss", "updates"), settings, timeout.Token);
        cancellationToken.ThrowIfCancellationRequested();
        return opened with { Token = settings.AccessToken };
    }

    /// <summary>The in-band refresh of a socket's token, when the caller gave a token callback (an event stream cannot send one).</summary>
    private InbandTokenRefresh? StartRefresh(IStreamConnection connection, string? token) =>
        _options.AccessTokenProvider is { } provider && token is not null && connection is WebSocketStreamConnection socket
            ? new InbandTokenRefresh(token, provider, socket.SendAsync, _options.TimeProvider, OnRefreshed)
            : null;

    /// <summary>The stream's URL on <paramref name="path"/>, resuming after the last version delivered.</summary>
    private Uri StreamUrl(string plain, string secure, string path)
    {
        var builder = new UriBuilder(_options.BaseUrl);
        builder.Scheme = builder.Scheme is "https" or "wss" ? secure : plain;
        builder.Path = builder.Path.TrimEnd('/') + $"/api/workflows/{WorkflowId}/{path}";
        var resumeFrom = LastVersion > 0 || _startAfter is not null ? (long?)LastVersion : null;
        builder.Query = resumeFrom is { } after ? $"after={after}" : string.Empty;
        return builder.Uri;
    }

    private void OnRefreshed(RefreshFailure? failure)
    {
        if (failure is null)
        {
            Interlocked.Increment(ref _tokensRefreshed);
        }
        else
        {
            TokenRefreshFailed?.Invoke(this, new TokenRefreshFailedEventArgs(failure.Reason, failure.Error));
        }
    }

    private void SetStatus(StreamStatus status)
    {
        if (Status != status)
        {
            Status = status;
            StatusChanged?.Invoke(this, status);
        }
    }

}
