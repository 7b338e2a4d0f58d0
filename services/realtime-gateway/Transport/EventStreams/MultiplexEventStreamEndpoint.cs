using Microsoft.Extensions.Options;
using Vapora.Contracts.EventStreams;
using Vapora.RealtimeGateway.Connections;
using Vapora.RealtimeGateway.Transport.WebSockets;

namespace Vapora.RealtimeGateway.Transport.EventStreams;

/// <summary>
/// <c>GET /events?workflows=wf_a,wf_b:7</c>: many workflows' updates on one Server-Sent Events stream (browsers open at
/// most six HTTP/1.1 connections per origin). Each event's <c>data</c> is the update's JSON (it names its workflow), and
/// its <c>id</c> is the stream's <see cref="EventStreamCursor"/>, so <c>Last-Event-ID</c> resumes every workflow at once.
/// A workflow that cannot be watched gets a <c>workflow_error</c> event and the others go on; a bad request is a 400.
/// </summary>
internal static class MultiplexEventStreamEndpoint
{
    /// <summary>Workflows joined at once when a stream starts (each may read the API).</summary>
    private const int ConcurrentSubscribes = 8;

    public static Task HandleAsync(HttpContext http, EventStreamAcceptor acceptor, IOptions<EventStreamOptions> options,
        IOptions<ConnectionOptions> connections)
    {
        // A stream's workflows are its connection's subscriptions: the lower of the two limits holds.
        var limit = Math.Min(options.Value.MaxWorkflowsPerEventStream, connections.Value.MaxSubscriptionsPerConnection);
        var cursor = EventStreamCursor.Parse(http.Request.Query["workflows"], limit, out var problem);
        var lastEventId = http.Request.Headers[EventStreamEndpoints.LastEventIdHeader];
        if (cursor is not null && lastEventId.Count > 1)
        {
            problem = "send one Last-Event-ID";
        }
        else if (cursor is not null && !string.IsNullOrEmpty(lastEventId.ToString()) && !cursor.TryResume(lastEventId.ToString(), out problem))
        {
            cursor = null;
        }

        if (cursor is null)
        {
            return acceptor.RunAsync(http, problem, cursor: null, static (_, _) => Task.CompletedTask);
        }

        // Taken now: once the stream runs, the writer moves the cursor on.
        var workflows = Enumerable.Range(0, cursor.WorkflowIds.Count).Select(i => (Id: cursor.WorkflowIds[i], After: cursor.PositionOf(i))).ToArray();
        return acceptor.RunAsync(http, problem, cursor, (connection, preamble) => StartAsync(connection, workflows, preamble));
    }

    private static async Task StartAsync(Connection connection, (string Id, long? After)[] workflows, ReadOnlyMemory<byte> preamble)
    {
        // The request is valid and admitted: the stream begins now, whatever each workflow turns out to be.
        connection.EnqueueControl(preamble);
        await Parallel.ForEachAsync(workflows, new ParallelOptions { MaxDegreeOfParallelism = ConcurrentSubscribes, CancellationToken = connection.Aborted },
            async (workflow, _) =>
            {
                var result = await connection.Subscriptions.SubscribeAsync(workflow.Id, workflow.After, enveloped: false, subscribedFrame: null);
                if (result == SubscribeResult.Unavailable)
                {
                    // One workflow cannot be caught up right now: the stream ends and the client resumes them all.
                    connection.Close(result.Close!);
                }
                else if (!result.IsSubscribed)
                {
                    connection.EnqueueControl(EventStreamFrames.Named(EventStreamEvents.WorkflowError, ProtocolFrames.Error(result, workflow.Id)));
                }
            });
    }
}
