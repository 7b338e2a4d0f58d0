using System.Security.Claims;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Vapora.RealtimeGateway.Connections;

namespace Vapora.RealtimeGateway.Tests.Units;

/// <summary>The connection limit (Gateway:MaxConnections) under connections that arrive together.</summary>
public sealed class ConnectionRegistryTests : IDisposable
{
    private const int Limit = 4;
    private const int Rounds = 60_000;

    private readonly ConnectionOptions _options = new() { MaxConnections = Limit };
    private readonly TestCore _core;

    public ConnectionRegistryTests() => _core = new TestCore(new FakeUpdateLog("wf_registry_unit", latest: 1), new FakeTimeProvider(), connections: _options);

    public void Dispose() => _core.Dispose();

    [Fact]
    public void Connections_that_arrive_together_never_pass_the_limit()
    {
        var registry = new ConnectionRegistry(Options.Create(_options));
        var threads = Math.Max(2, Environment.ProcessorCount);
        var admittedOver = 0;
        using var start = new Barrier(threads + 1);
        using var done = new Barrier(threads + 1);
        var ct = TestContext.Current.CancellationToken;
        var held = Enumerable.Range(0, Limit - 1).Select(_ => NewConnection(registry)).ToList();
        var connections = new Connection[Rounds][];
        for (var round = 0; round < Rounds; round++)
        {
            connections[round] = [.. Enumerable.Range(0, threads).Select(_ => NewConnection(registry))];
        }

        var workers = Enumerable.Range(0, threads).Select(t => new Thread(() =>
        {
            for (var round = 0; round < Rounds; round++)
            {
                start.SignalAndWait(ct);
                registry.TryRegister(connections[round][t]);
                done.SignalAndWait(ct);
            }
        })).ToList();
        workers.ForEach(w => w.Start());

        for (var round = 0; round < Rounds; round++)
        {
            // One slot left: every thread wants it at once.
            held.ForEach(c => Assert.True(registry.TryRegister(c)));
            start.SignalAndWait(ct);
            done.SignalAndWait(ct);
            admittedOver = Math.Max(admittedOver, registry.Count - Limit);
            foreach (var connection in held.Concat(connections[round]))
            {
                registry.Unregister(connection);
            }
        }

        workers.ForEach(w => w.Join());
        Assert.Equal(0, admittedOver);
        Assert.Equal(0, registry.Count);
    }

    private Connection NewConnection(ConnectionRegistry registry) => new(registry.NextId(), new FakeTransport(), new ClaimsPrincipal(), _core.Services);
}
