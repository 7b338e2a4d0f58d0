using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Vapora.RealtimeGateway.Connections;
using Vapora.RealtimeGateway.Hub;
using Vapora.RealtimeGateway.Resume;
using Vapora.RealtimeGateway.UpdateLog;
using Vapora.ServiceDefaults.Security;

namespace Vapora.RealtimeGateway.Tests.Units;

/// <summary>
/// The gateway's core as <c>AddRealtimeGateway</c> wires it, minus Redis and the API process: topics and their
/// registry, gap repair, history reads, catch-up and what connections share, on the given log and clock.
/// </summary>
internal sealed class TestCore : IDisposable
{
    public TestCore(IUpdateLog log, TimeProvider time, HubOptions? hub = null, ResumeOptions? resume = null, ConnectionOptions? connections = null,
        int catchUpPageSize = 100)
    {
        Log = log;
        Hub = hub ?? new HubOptions();
        Connections = connections ?? new ConnectionOptions();
        var updateLog = Options.Create(new UpdateLogOptions { WorkflowApiUrl = new Uri("http://127.0.0.1:9"), CatchUpPageSize = catchUpPageSize });
        Repair = new TopicRepair(log, Options.Create(Hub), updateLog, time, NullLogger<TopicRepair>.Instance);
        Reads = new HistoryReads(log, Options.Create(resume ?? new ResumeOptions()), updateLog, Metrics.Metrics, time, NullLogger<HistoryReads>.Instance);
        Context = new TopicContext(Options.Create(Hub), Metrics.Metrics, time, Repair, NullLogger<WorkflowTopic>.Instance);
        Topics = new TopicRegistry(new SilentBroker(), log, Context, NullLogger<TopicRegistry>.Instance);
        CatchUp = new CatchUp(Reads, log, updateLog, Metrics.Metrics);
        _time = time;
        Services = NewServices(new AuthMode(IsOff: true));
    }

    private readonly TimeProvider _time;

    public IUpdateLog Log { get; }

    public HubOptions Hub { get; }

    public ConnectionOptions Connections { get; }

    public TestMetrics Metrics { get; } = new();

    public TopicRepair Repair { get; }

    public HistoryReads Reads { get; }

    public TopicContext Context { get; }

    public TopicRegistry Topics { get; }

    public CatchUp CatchUp { get; }

    public ConnectionServices Services { get; }

    /// <summary>What connections share, as with <c>Auth:Mode=jwt</c>: tokens are checked and expire (no in-band refresh).</summary>
    public ConnectionServices WithAuthentication() => NewServices(new AuthMode(IsOff: false));

    /// <summary>A topic of its own (not in the registry), not started.</summary>
    public WorkflowTopic NewTopic(string workflowId) => new(workflowId, Context);

    public void Dispose()
    {
        Topics.Dispose();
        Reads.Dispose();
        Repair.Dispose();
        Metrics.Dispose();
    }

    private ConnectionServices NewServices(AuthMode auth) =>
        new(Topics, CatchUp, new NotFoundCache(Options.Create(Connections), _time), new WorkflowAccess(auth), Options.Create(Connections), Metrics.Metrics, _time,
            NullLogger<Connection>.Instance, TokenRefresh.WithoutAuthentication(Metrics.Metrics));
}
