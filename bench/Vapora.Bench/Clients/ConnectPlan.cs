using Vapora.Bench.Measurement;

namespace Vapora.Bench.Clients;

/// <summary>
/// How to connect the clients of a run, as data: the coordinator builds it from the target it started, and every
/// process that holds clients (the harness itself, or its workers) connects from it the same way.
/// </summary>
/// <param name="Kind">What the clients speak.</param>
/// <param name="Urls">Per workflow index, the URL of a client's first connection (SignalR: one entry, the hub).</param>
/// <param name="Groups">SignalR: the group per workflow index.</param>
/// <param name="ResumeUrls">
/// Per workflow index, where a dropped client reconnects and resumes with <c>?after=</c> its last version (a load
/// balancer); null: a dropped client stays dropped and is counted as disconnected.
/// </param>
/// <param name="Tokens">Vapora streams with <see cref="ResumeUrls"/>: the clients' tokens; null: no token (authentication off).</param>
internal sealed record ConnectPlan(ClientKind Kind, IReadOnlyList<string> Urls, IReadOnlyList<string>? Groups = null, IReadOnlyList<string>? ResumeUrls = null,
    TokenPlan? Tokens = null)
{
    private static readonly TimeSpan FirstFrameTimeout = TimeSpan.FromSeconds(30);

    /// <summary>Connects one client of <see cref="ClientTracker.Workflow"/>; returns once it is watching.</summary>
    /// <param name="tokens">Where this process counts what its clients did about their tokens (with <see cref="Tokens"/>).</param>
    public async Task<IWatcher> ConnectAsync(ClientTracker tracker, HttpMessageInvoker invoker, TokenTally tokens, CancellationToken cancellationToken)
    {
        var w = tracker.Workflow;
        switch (Kind)
        {
            case ClientKind.SignalRRaw:
                return await RawSignalRWatcher.ConnectAsync(new Uri(Urls[0]), invoker, Groups![w], tracker, cancellationToken);
            case ClientKind.SignalRHub:
                return await SignalRWatcher.ConnectAsync(new Uri(Urls[0]), Groups![w], tracker, cancellationToken);
            case ClientKind.Ceiling:
                return await WebSocketWatcher.ConnectAsync(new Uri(Urls[w]), invoker, tracker, cancellationToken);
            default:
                IWatcher watcher = Kind == ClientKind.VaporaEvents
                    ? await EventStreamWatcher.ConnectAsync(new Uri(Urls[w]), invoker, tracker, cancellationToken)
                    : ResumeUrls is { } resume
                        ? await ResumingWatcher.ConnectAsync(new Uri(Urls[w]), new Uri(resume[w]), invoker, tracker,
                            Tokens is null ? null : new ClientToken(Tokens, tokens), cancellationToken)
                        : await WebSocketWatcher.ConnectAsync(new Uri(Urls[w]), invoker, tracker, cancellationToken);
                try
                {
                    // The first frame is the current state: from then on the gateway forwards every new version.
                    await tracker.FirstFrame.Task.WaitAsync(FirstFrameTimeout, cancellationToken);
                }
                catch
                {
                    await watcher.DisposeAsync();
                    throw;
                }

                return watcher;
        }
    }
}
