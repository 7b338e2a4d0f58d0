using System.Net;
using System.Net.Http.Headers;
using System.Net.ServerSentEvents;
using System.Text.Json;
using Vapora.Contracts;
using Vapora.Contracts.EventStreams;

namespace Vapora.Client.Transports;

/// <summary>
/// The single-workflow Server-Sent Events stream: <c>GET /api/workflows/{id}/events?after=N</c>. Each unnamed event's
/// data is a frame (the same JSON as a WebSocket frame); a <c>close</c> event carries the close code. A refusal before
/// the stream begins is an HTTP status whose ProblemDetails carries the same code (<c>close_code</c>). A stream silent
/// for <see cref="ConnectionSettings.EventStreamSilenceTimeout"/> (the gateway sends a heartbeat comment every 15 s)
/// is considered gone.
/// </summary>
internal sealed class EventStreamConnection : IStreamConnection
{
    private static readonly HttpClient SharedHttp = new(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
    {
        Timeout = Timeout.InfiniteTimeSpan,
    };

    private readonly HttpResponseMessage _response;
    private readonly CancellationTokenSource _silence;
    private readonly IAsyncEnumerator<SseItem<byte[]>> _events;
    private readonly TimeSpan _idleTimeout;

    private EventStreamConnection(HttpResponseMessage response, Stream body, TimeSpan idleTimeout)
    {
        _response = response;
        _idleTimeout = idleTimeout;
        _silence = new CancellationTokenSource(idleTimeout);
        // Any byte (an event or a heartbeat comment, which the parser does not surface) proves the stream alive.
        var watched = new ActivityStream(body, () => _silence.CancelAfter(_idleTimeout));
        _events = SseParser.Create(watched, static (_, data) => data.ToArray()).EnumerateAsync(_silence.Token).GetAsyncEnumerator(_silence.Token);
    }

    public static async Task<Opened> OpenAsync(Uri url, ConnectionSettings options, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        if (options.AccessToken is { } token)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        HttpResponseMessage response;
        try
        {
            response = await (options.HttpClient ?? SharedHttp).SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        }
        catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException or IOException)
        {
            return Opened.Failed(ex);
        }

        var handedOver = false;
        try
        {
            if (response.StatusCode == HttpStatusCode.OK && response.Content.Headers.ContentType?.MediaType == "text/event-stream")
            {
                var body = await response.Content.ReadAsStreamAsync(cancellationToken);
                handedOver = true;
                return Opened.Open(new EventStreamConnection(response, body, options.EventStreamSilenceTimeout));
            }

            return await RefusalAsync(response, cancellationToken);
        }
        catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException or IOException)
        {
            return Opened.Failed(ex);
        }
        finally
        {
            if (!handedOver)
            {
                response.Dispose();
            }
        }
    }

    public async ValueTask<Received> ReceiveAsync(CancellationToken cancellationToken)
    {
        using var stop = cancellationToken.Register(static state => ((CancellationTokenSource)state!).Cancel(), _silence);
        try
        {
            while (await _events.MoveNextAsync())
            {
                var item = _events.Current;
                switch (item.EventType)
                {
                    case SseParser.EventTypeDefault:
                        return Received.Of(item.Data);
                    case EventStreamEvents.Close:
                        var close = JsonSerializer.Deserialize(item.Data, VaporaJsonContext.Default.EventStreamClose);
                        return close is null ? Received.Failed(new InvalidDataException("An empty close event.")) : Received.Closed(close.Code, close.Reason);
                }
            }

            // The response ended without a close event: the gateway died or a proxy cut the stream.
            return Received.Failed(new IOException("The event stream ended without a close event."));
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return Received.Failed(new TimeoutException($"The event stream was silent for {_idleTimeout.TotalSeconds:0} s."));
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested && ex is HttpRequestException or IOException or JsonException)
        {
            return Received.Failed(ex);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _silence.CancelAsync();
        try
        {
            await _events.DisposeAsync();
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or HttpRequestException)
        {
            // Tearing down a stream that broke.
        }

        _response.Dispose();
        _silence.Dispose();
    }

    /// <summary>
    /// What a refusal says: the close code of the ProblemDetails (<c>close_code</c>), or one for the status; a 503 or
    /// any other error is a network-like failure to retry, after <c>Retry-After</c> if the server gave one.
    /// </summary>
    private static async Task<Opened> RefusalAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var retryAfter = response.Headers.RetryAfter?.Delta;
        int? code = null;
        string? detail = null;
        try
        {
            using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken));
            if (problem.RootElement.ValueKind == JsonValueKind.Object)
            {
                code = problem.RootElement.TryGetProperty("close_code", out var c) && c.TryGetInt32(out var value) ? value : null;
                detail = problem.RootElement.TryGetProperty("detail", out var d) ? d.GetString() : null;
            }
        }
        catch (JsonException)
        {
            // Not a gateway's answer (a proxy's error page): the status decides.
        }

        code ??= (int)response.StatusCode switch
        {
            400 => CloseReason.BadRequestTemplate.Code,
            401 => CloseReason.Unauthorized.Code,
            403 => CloseReason.Forbidden.Code,
            404 => CloseReason.NotFound.Code,
            _ => null,
        };
        var reason = detail ?? $"{(int)response.StatusCode} {response.ReasonPhrase}";
        return code is { } known && !CloseReason.ShouldResume(known)
            ? Opened.Refused(known, reason)
            : Opened.Failed(new HttpRequestException($"The gateway answered {(int)response.StatusCode}: {reason}", null, response.StatusCode), retryAfter);
    }
}
