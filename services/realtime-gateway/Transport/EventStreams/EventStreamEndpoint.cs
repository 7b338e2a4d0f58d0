using Vapora.Contracts;
using Vapora.RealtimeGateway.Connections;

namespace Vapora.RealtimeGateway.Transport.EventStreams;

/// <summary>
/// <c>GET /api/workflows/{id}/events</c>: one workflow's updates as Server-Sent Events, <c>id:</c> the version and
/// <c>data:</c> the same JSON as a WebSocket frame. The current state comes first unless the request resumes, from
/// <c>Last-Event-ID</c> (what <c>EventSource</c> sends when it reconnects) or else <c>?after=N</c>: every later version
/// once, in order, then live ones (or, when that cannot be continued gap-free, the state marked <c>"reset":true</c>). A
/// workflow that cannot be served is an HTTP error before the stream begins.
/// </summary>
internal static class EventStreamEndpoint
{
    public static Task HandleAsync(string id, HttpContext http, EventStreamAcceptor acceptor)
    {
        long? after = null;
        var problem = WorkflowIds.IsValid(id) ? ReadResume(http.Request, out after) : $"invalid workflow id: {WorkflowIds.FormatDescription}";
        return acceptor.RunAsync(http, problem, cursor: null, (connection, preamble) => StartAsync(connection, id, after, preamble));
    }

    private static async Task StartAsync(Connection connection, string id, long? after, ReadOnlyMemory<byte> preamble)
    {
        // The preamble is queued once the workflow is known to exist and may be read: until then nothing is sent, so
        // a refusal is still an HTTP status.
        var result = await connection.Subscriptions.SubscribeAsync(id, after, enveloped: false, subscribedFrame: preamble);
        if (result.Close is { } reason)
        {
            connection.Close(reason);
        }
    }

    /// <summary>Where the stream resumes: <c>Last-Event-ID</c> wins over <c>?after</c> (it is newer: the URL is the one the stream began with).</summary>
    private static string? ReadResume(HttpRequest request, out long? after)
    {
        after = null;
        var lastEventId = request.Headers[EventStreamEndpoints.LastEventIdHeader];
        if (lastEventId.Count > 1)
        {
            return "send one Last-Event-ID";
        }

        if (!string.IsNullOrEmpty(lastEventId.ToString()))
        {
            return VersionParameter.TryParse(lastEventId.ToString(), out after)
                ? null
                : "Last-Event-ID must be the id of an event of this stream: a version (an integer of 0 or more)";
        }

        var query = request.Query["after"];
        return query.Count > 1 || (query.Count == 1 && !VersionParameter.TryParse(query[0], out after))
            ? "after must be one integer version of 0 or more"
            : null;
    }
}
