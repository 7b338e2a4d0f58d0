using System.Text;
using System.Threading.Channels;

namespace Vapora.Testing;

/// <summary>One thing read off a Server-Sent Events stream: a dispatched event, or a comment line.</summary>
/// <param name="Id">The event's <c>id</c> field (null when it had none).</param>
/// <param name="Type">The event name (<c>message</c> when unnamed); <c>comment</c> for a comment line.</param>
/// <param name="Data">The event's data lines joined with \n, or the comment's text.</param>
public sealed record EventStreamItem(string? Id, string Type, string Data)
{
    public bool IsComment => Type == "comment";
}

/// <summary>
/// Parses <c>text/event-stream</c> as the WHATWG spec says (fields, data lines joined with \n, blank line dispatches,
/// comments) from any stream — curl's output, an HTTP response, a raw socket — into items awaited with deadlines.
/// Written here on purpose: the tests read the gateway's bytes with a parser that is not the gateway's, nor a client's.
/// </summary>
public sealed class EventStreamReader
{
    private readonly Channel<EventStreamItem> _items = Channel.CreateUnbounded<EventStreamItem>();
    private readonly TaskCompletionSource _ended = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>The last <c>retry</c> field, in milliseconds.</summary>
    public int? Retry { get; private set; }

    /// <summary>The last event id seen (what an EventSource would send back as Last-Event-ID).</summary>
    public string? LastEventId { get; private set; }

    /// <summary>Completes when the stream ended (end of response, or the connection dropped).</summary>
    public Task Ended => _ended.Task;

    /// <summary>Reads <paramref name="lines"/> until it ends.</summary>
    public async Task RunAsync(TextReader lines, CancellationToken cancellationToken)
    {
        string? id = null;
        string? type = null;
        var data = new StringBuilder();
        var hasData = false;
        try
        {
            while (await lines.ReadLineAsync(cancellationToken) is { } line)
            {
                if (line.Length == 0)
                {
                    if (hasData)
                    {
                        _items.Writer.TryWrite(new EventStreamItem(id, type ?? "message", data.ToString()));
                    }

                    (id, type, hasData) = (null, null, false);
                    data.Clear();
                    continue;
                }

                if (line[0] == ':')
                {
                    _items.Writer.TryWrite(new EventStreamItem(null, "comment", line[1..].TrimStart()));
                    continue;
                }

                var colon = line.IndexOf(':', StringComparison.Ordinal);
                var field = colon < 0 ? line : line[..colon];
                var value = colon < 0 ? string.Empty : line[(colon + 1)..];
                if (value.StartsWith(' '))
                {
                    value = value[1..];
                }

                switch (field)
                {
                    case "data":
                        if (hasData)
                        {
                            data.Append('\n');
                        }

                        data.Append(value);
                        hasData = true;
                        break;
                    case "event":
                        type = value;
                        break;
                    case "id":
                        id = value;
                        LastEventId = value;
                        break;
                    case "retry" when int.TryParse(value, out var retry):
                        Retry = retry;
                        break;
                }
            }
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException or ObjectDisposedException)
        {
            // The connection dropped or the reader was stopped: the stream ended either way.
        }
        finally
        {
            _items.Writer.TryComplete();
            _ended.TrySetResult();
        }
    }

    /// <summary>The next event or comment; fails when none comes in time or the stream ended.</summary>
    public async Task<EventStreamItem> NextItemAsync(TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(10));
        try
        {
            return await _items.Reader.ReadAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"Nothing on the event stream within {(timeout ?? TimeSpan.FromSeconds(10)).TotalSeconds:0.#} s.");
        }
        catch (ChannelClosedException)
        {
            throw new EndOfStreamException("The event stream ended before another item arrived.");
        }
    }

    /// <summary>The next event, skipping comments (heartbeats).</summary>
    public async Task<EventStreamItem> NextEventAsync(TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(10));
        while (true)
        {
            var item = await NextItemAsync(Max(deadline - DateTime.UtcNow, TimeSpan.FromMilliseconds(1)));
            if (!item.IsComment)
            {
                return item;
            }
        }
    }

    /// <summary>The next <paramref name="count"/> unnamed events (updates), skipping comments.</summary>
    public async Task<List<EventStreamItem>> NextUpdatesAsync(int count, TimeSpan? timeout = null)
    {
        var updates = new List<EventStreamItem>(count);
        while (updates.Count < count)
        {
            var item = await NextEventAsync(timeout);
            if (item.Type != "message")
            {
                throw new InvalidDataException($"Expected an update, got a '{item.Type}' event: {item.Data}");
            }

            updates.Add(item);
        }

        return updates;
    }

    /// <summary>Everything read so far and not yet taken.</summary>
    public List<EventStreamItem> Drain()
    {
        var items = new List<EventStreamItem>();
        while (_items.Reader.TryRead(out var item))
        {
            items.Add(item);
        }

        return items;
    }

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;
}
