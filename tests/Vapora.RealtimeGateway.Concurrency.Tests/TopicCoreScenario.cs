using System.Diagnostics.Metrics;
using Microsoft.Coyote.Specifications;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Vapora.RealtimeGateway.Broker;
using Vapora.RealtimeGateway.Connections;
using Vapora.RealtimeGateway.Hub;
using Vapora.RealtimeGateway.Internal;
using Vapora.RealtimeGateway.Resume;
using Vapora.RealtimeGateway.UpdateLog;
using Vapora.ServiceDefaults.Security;

namespace Vapora.RealtimeGateway.Concurrency.Tests;

/// <summary>
/// The gateway's topic core, wired as in production (registry, topic, gap repair, shared history reads, catch-up,
/// connections with bounded queues), under one explored schedule: clients attach and resume from the state, from
/// memory and from pages of history while versions are published live (one lost, two out of order: a gap repair), one
/// leaves half way, the last ones leave, and a reaper removes the idle topic (grace 0). Then the invariants.
/// </summary>
internal static class TopicCoreScenario
{
    private const string Id = "wf_explored";
    private const long Baseline = 6;
    private const long Last = 14;

    public static async Task RunAsync()
    {
        using var meters = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var metrics = new GatewayMetrics(meters.GetRequiredService<IMeterFactory>());
        var time = new FakeTimeProvider();
        var log = new CoreLog(Id, Baseline);
        var hub = Options.Create(new HubOptions { RecentUpdatesPerWorkflow = 4, RecentFramesMaxBytes = 64 * 1024, UnsubscribeGracePeriod = TimeSpan.Zero });
        var updateLog = Options.Create(new UpdateLogOptions { WorkflowApiUrl = new Uri("http://127.0.0.1:9"), CatchUpPageSize = 3 });
        using var repair = new TopicRepair(log, hub, updateLog, time, NullLogger<TopicRepair>.Instance);
        using var reads = new HistoryReads(log, Options.Create(new ResumeOptions()), updateLog, metrics, time, NullLogger<HistoryReads>.Instance);
        var context = new TopicContext(hub, metrics, time, repair, NullLogger<WorkflowTopic>.Instance);
        using var topics = new TopicRegistry(new InstantBroker(), log, context, NullLogger<TopicRegistry>.Instance);
        var connections = Options.Create(new ConnectionOptions { SendQueueCapacity = 8, KeepAliveInterval = Timeout.InfiniteTimeSpan });
        var services = new ConnectionServices(topics, new CatchUp(reads, log, updateLog, metrics), new NotFoundCache(connections, time),
            new WorkflowAccess(new AuthMode(IsOff: true)), connections, metrics, time,
            NullLogger<Connection>.Instance, TokenRefresh.WithoutAuthentication(metrics));

        ExploredClient[] clients =
        [
            new("state first", services, 1, Id, after: null),
            new("from the first version", services, 2, Id, after: 0),
            new("from memory or history", services, 3, Id, after: 4),
            new("leaves while the others go on", services, 4, Id, after: 2, leaveAt: 0),
        ];
        var done = false;
        var reaper = Task.Run(async () =>
        {
            while (!Volatile.Read(ref done))
            {
                while (topics.TryTakeIdle(out var idle))
                {
                    topics.TryRemoveIdle(idle.Entry, idle.IdleSince);
                }

                await Task.Yield();
            }
        });
        var publisher = Task.Run(async () =>
        {
            // Stored, then published; 9 is lost on the backplane and 11 overtakes 10.
            foreach (var version in new long[] { 7, 8, 9, 11, 10, 12, 13, 14 })
            {
                log.Latest = Math.Max(log.Latest, version);
                if (version != 9 && topics.TryGet(Id, out var topic))
                {
                    topic.OnPublished(CoreLog.Update(Id, version));
                }

                await Task.Yield();
            }
        });
        await Task.WhenAll(clients.Select(c => Task.Run(() => c.RunAsync(publisher))).Append(publisher).ToArray());
        var watched = topics.TryGet(Id, out var live) ? live : null;
        // The lost version is repaired from the log: wait for the repair to end, then take what is left.
        while (watched is not null && !watched.TryGetQuietHead(out _))
        {
            await Task.Yield();
        }

        foreach (var client in clients)
        {
            client.Read();
            client.End();
        }

        Volatile.Write(ref done, true);
        await reaper;
        while (topics.TryTakeIdle(out var idle))
        {
            topics.TryRemoveIdle(idle.Entry, idle.IdleSince);
        }

        foreach (var client in clients)
        {
            CheckVersions(client);
            Specification.Assert(!client.Connection.IsClosing, $"{client.Name}: closed ({client.Connection.QueuedFrames} frames queued) although it kept reading");
        }

        Specification.Assert(topics.ReferencesOf(Id) == 0, $"{topics.ReferencesOf(Id)} references left on the topic after every client left");
        Specification.Assert(topics.Count == 0, "the idle topic was not removed");
        Specification.Assert(watched is null || watched.WatcherCount == 0, $"{watched?.WatcherCount} watchers still attached to the removed topic");
    }

    /// <summary>Per client: versions contiguous, each once, in order, from its start (the state's version, or after its position).</summary>
    private static void CheckVersions(ExploredClient client)
    {
        var received = client.Received;
        Specification.Assert(client.Result == SubscribeResult.Subscribed, $"{client.Name}: subscribe ended {client.Result}");
        Specification.Assert(received.Count > 0, $"{client.Name}: received nothing");
        var first = client.After is { } after ? after + 1 : received[0];
        Specification.Assert(client.After is not null || (first >= Baseline && first <= Last), $"{client.Name}: began with v{first}, not a state");
        for (var i = 0; i < received.Count; i++)
        {
            Specification.Assert(received[i] == first + i, $"{client.Name}: got [{string.Join(',', received)}]; v{first + i} expected at {i}");
        }

        Specification.Assert(client.LeaveAt is not null || received[^1] == Last, $"{client.Name}: stopped at v{received[^1]} of {Last}: [{string.Join(',', received)}]");
    }

    /// <summary>A backplane that confirms every subscription at once; the publisher hands frames to the topic itself.</summary>
    private sealed class InstantBroker : IWorkflowBroker
    {
        public int SubscribedChannels => 0;

        public Task SubscribeAsync(string workflowId, CancellationToken cancellationToken) => Task.CompletedTask;

        public Task UnsubscribeAsync(string workflowId) => Task.CompletedTask;

        public void RegisterHandler(IBrokerHandler handler)
        {
        }
    }
}
