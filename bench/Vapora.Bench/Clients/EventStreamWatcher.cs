using System.Diagnostics;
using System.Net.ServerSentEvents;
using System.Text.Json;
using Vapora.Bench.Measurement;
using Vapora.Contracts;
using Vapora.Contracts.EventStreams;

namespace Vapora.Bench.Clients;

/// <summary>
/// A Server-Sent Events client of Vapora's <c>/api/workflows/{id}/events</c>: each unnamed event's data is an update
/// (read in place, no string per event); a <c>close</c> event or the end of the response is a drop.
/// </summary>
internal sealed class EventStreamWatcher : IWatcher
{
    private readonly HttpResponseMessage _response;
    private readonly Stream _body;
    private readonly ClientTracker _tracker;
    private readonly CancellationTokenSource _stop = new();
    private volatile bool _stall;
    private Task _reader = Task.CompletedTask;

    private EventStreamWatcher(HttpResponseMessage response, Stream body, ClientTracker tracker)
    {
        _response = response;
        _body = body;
        _tracker = tracker;
    }

    /// <summary>
    /// Opens the stream through <paramref name="http"/> (one handler shared by all watchers; an invoker, unlike an
    /// HttpClient, neither buffers a response nor times it out) and starts reading.
    /// </summary>
    public static async Task<EventStreamWatcher> ConnectAsync(Uri url, HttpMessageInvoker http, ClientTracker tracker, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Accept.ParseAdd("text/event-stream");
        var response = await http.SendAsync(request, cancellationToken);
        try
        {
            if (response.Content.Headers.ContentType?.MediaType != "text/event-stream")
            {
                throw new HttpRequestException($"The gateway answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(cancellationToken)}");
            }

            var watcher = new EventStreamWatcher(response, await response.Content.ReadAsStreamAsync(cancellationToken), tracker);
            watcher._reader = watcher.ReadLoopAsync();
            return watcher;
        }
        catch
        {
            response.Dispose();
            throw;
        }
    }

    public void Stall() => _stall = true;

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _response.Dispose();
        await _reader;
        _stop.Dispose();
    }

    private async Task ReadLoopAsync()
    {
        try
        {
            var parser = SseParser.Create(_body, static (type, data) => Item.Parse(type, data));
            await foreach (var item in parser.EnumerateAsync(_stop.Token))
            {
                var received = Stopwatch.GetTimestamp();
                if (_stall)
                {
                    // Never reads again: the server's send queue for this client fills up.
                    await Task.Delay(Timeout.Infinite, _stop.Token);
                }

                switch (item.Data.Kind)
                {
                    case Kind.Update:
                        _tracker.OnUpdate(item.Data.Version, item.Data.SentTicks, received);
                        break;
                    case Kind.Close:
                        _tracker.OnClosed($"closed by the server: {item.Data.Version}");
                        return;
                    case Kind.Unreadable:
                        _tracker.OnUnreadable();
                        break;
                }
            }

            if (!_stop.IsCancellationRequested)
            {
                _tracker.OnClosed("the event stream ended");
            }
        }
        catch (Exception ex) when (_stop.IsCancellationRequested && ex is OperationCanceledException or ObjectDisposedException or IOException or HttpRequestException)
        {
        }
        catch (Exception ex) when (ex is IOException or HttpRequestException or OperationCanceledException)
        {
            if (!_stop.IsCancellationRequested)
            {
                _tracker.OnClosed("dropped: " + ex.Message);
            }
        }
    }

    private enum Kind : byte
    {
        Other,
        Update,
        Close,
        Unreadable,
    }

    /// <summary>What an event says, read from the parser's buffer (for a close event, its code in <see cref="Version"/>).</summary>
    private readonly record struct Item(Kind Kind, long Version, long SentTicks)
    {
        public static Item Parse(string type, ReadOnlySpan<byte> data)
        {
            if (type == SseParser.EventTypeDefault)
            {
                return SentTime.TryRead(data, out var version, out var sent) ? new Item(Kind.Update, version, sent) : new Item(Kind.Unreadable, 0, 0);
            }

            if (type == EventStreamEvents.Close)
            {
                var close = JsonSerializer.Deserialize(data, VaporaJsonContext.Default.EventStreamClose);
                return new Item(Kind.Close, close?.Code ?? 0, 0);
            }

            return new Item(Kind.Other, 0, 0);
        }
    }
}
