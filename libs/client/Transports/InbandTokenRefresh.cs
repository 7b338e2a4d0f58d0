using System.Net.WebSockets;
using System.Text.Json;
using Vapora.Contracts;
using Vapora.Contracts.Protocol;

namespace Vapora.Client.Transports;

/// <summary>
/// Keeps an open socket's token fresh without a reconnect: ahead of expiry (at 80% of the token's lifetime but at least
/// 5 s before it, or when the gateway sends <c>token_expiring</c>, whichever comes first) it asks the caller's token
/// callback for a fresh token and sends it in-band (<c>{"type":"token","token":"…"}</c>). The gateway answers
/// <c>token_accepted</c> or an error; a failure is reported and tried again later, and if none succeeds the gateway
/// closes at expiry (4401) and the stream reconnects with a fresh token. Each attempt's outcome goes to the <c>finished</c> callback (null: accepted).
/// </summary>
internal sealed class InbandTokenRefresh : IAsyncDisposable
{
    /// <summary>Waits are taken in steps no longer than this (Task.Delay's range is about 49.7 days; tokens may live longer).</summary>
    private static readonly TimeSpan LongestWait = TimeSpan.FromDays(1);
    private static readonly TimeSpan AnswerTimeout = TimeSpan.FromSeconds(15);

    /// <summary>
    /// The callback gave the token in use (its source has not renewed yet): not sent, since the gateway would accept it,
    /// it would be due again at once, and so on round after round. Asked again after the same backoff, not reported.
    /// </summary>
    private static readonly RefreshFailure NothingFresher = new("the token callback gave the token already in use", null);

    private readonly Func<CancellationToken, ValueTask<string>> _provider;
    private readonly Func<ReadOnlyMemory<byte>, CancellationToken, ValueTask> _send;
    private readonly TimeProvider _time;
    private readonly Action<RefreshFailure?> _finished;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private TaskCompletionSource _expiring = NewSignal();
    private TaskCompletionSource<string?>? _answer;
    private string _current;

    public InbandTokenRefresh(string current, Func<CancellationToken, ValueTask<string>> provider,
        Func<ReadOnlyMemory<byte>, CancellationToken, ValueTask> send, TimeProvider time,
        Action<RefreshFailure?> finished)
    {
        _current = current;
        _provider = provider;
        _send = send;
        _time = time;
        _finished = finished;
        _loop = RunAsync(_stop.Token);
    }

    /// <summary>Looks at a frame that is not an update: the gateway's notice, or its answer to a refresh.</summary>
    public void OnControlFrame(ReadOnlySpan<byte> frame)
    {
        ServerFrame? parsed;
        try
        {
            parsed = JsonSerializer.Deserialize(frame, VaporaJsonContext.Default.ServerFrame);
        }
        catch (JsonException)
        {
            return;
        }

        switch (parsed)
        {
            case { Type: ServerFrame.Types.TokenExpiring } when !IsAboutAnEarlierToken(parsed.ExpiresAt, Volatile.Read(ref _current)):
                Volatile.Read(ref _expiring).TrySetResult();
                break;
            case { Type: ServerFrame.Types.TokenAccepted }:
                Volatile.Read(ref _answer)?.TrySetResult(null);
                break;
            case { Type: ServerFrame.Types.Error, WorkflowId: null, Code: ServerFrame.ErrorCodes.Unauthorized or ServerFrame.ErrorCodes.Unavailable }:
                Volatile.Read(ref _answer)?.TrySetResult($"{parsed.Code}: {parsed.Message}");
                break;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await _loop;
        }
        catch (OperationCanceledException)
        {
            // Stopped, or the socket closed under a refresh.
        }

        _stop.Dispose();
    }

    /// <summary>
    /// A notice of an earlier expiry than the current token's was sent for the token just replaced (the gateway's timer
    /// and this refresh crossed): acting on it would ask for yet another token at once.
    /// </summary>
    internal static bool IsAboutAnEarlierToken(DateTimeOffset? warnedExpiry, string currentToken) =>
        warnedExpiry is { } warned && TokenLifetime.ExpiresAt(currentToken) is { } current && warned < current;

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private async Task RunAsync(CancellationToken stop)
    {
        await Task.Yield();
        var retryAt = (DateTimeOffset?)null;
        var failures = 0;
        while (true)
        {
            var now = _time.GetUtcNow();
            var due = retryAt ?? TokenLifetime.RefreshAt(_current, now);
            var expiring = Volatile.Read(ref _expiring).Task;
            if (due is null || due > now)
            {
                await WaitAsync(due is { } at ? at - now : LongestWait, expiring, stop);
                if (!expiring.IsCompleted && (due is null || _time.GetUtcNow() < due))
                {
                    continue;
                }
            }

            Volatile.Write(ref _expiring, NewSignal());
            var failure = await RefreshOnceAsync(stop);
            if (!ReferenceEquals(failure, NothingFresher))
            {
                _finished(failure);
            }

            if (failure is null)
            {
                (retryAt, failures) = (null, 0);
                continue;
            }

            // Again after 1, 2, 4… s (at most 30): a token that cannot be refreshed still serves until the gateway closes
            // at its expiry, and the stream then reconnects with whatever the callback gives.
            retryAt = _time.GetUtcNow() + TimeSpan.FromSeconds(Math.Min(30, 1 << Math.Min(failures++, 5)));
        }
    }

    private async Task<RefreshFailure?> RefreshOnceAsync(CancellationToken stop)
    {
        string token;
        try
        {
            token = await _provider(stop);
        }
        catch (Exception ex) when (!stop.IsCancellationRequested)
        {
            return new RefreshFailure("the token callback failed: " + ex.Message, ex);
        }

        if (token == _current)
        {
            return NothingFresher;
        }

        var answer = new TaskCompletionSource<string?>(TaskCreationOptions.RunContinuationsAsynchronously);
        Volatile.Write(ref _answer, answer);
        try
        {
            await _send(JsonSerializer.SerializeToUtf8Bytes(new ClientFrame { Type = ClientFrame.Types.Token, Token = token }, VaporaJsonContext.Default.ClientFrame), stop);
        }
        catch (Exception ex) when (ex is WebSocketException or IOException or ObjectDisposedException)
        {
            // The socket is going away: its receive loop sees that too, and the stream reconnects with a fresh token.
            throw new OperationCanceledException("The socket closed before the fresh token could be sent.", ex);
        }

        string? refused;
        try
        {
            refused = await answer.Task.WaitAsync(AnswerTimeout, _time, stop);
        }
        catch (TimeoutException)
        {
            refused = "the gateway did not answer the refresh";
        }

        if (refused is not null)
        {
            return new RefreshFailure(refused, null);
        }

        Volatile.Write(ref _current, token);
        return null;
    }

    private async Task WaitAsync(TimeSpan delay, Task expiring, CancellationToken stop)
    {
        using var wait = CancellationTokenSource.CreateLinkedTokenSource(stop);
        var timer = Task.Delay(delay < LongestWait ? delay : LongestWait, _time, wait.Token);
        await Task.WhenAny(timer, expiring);
        await wait.CancelAsync();
        stop.ThrowIfCancellationRequested();
    }
}
