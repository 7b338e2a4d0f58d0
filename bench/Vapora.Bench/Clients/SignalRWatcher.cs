using System.Diagnostics;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;
using Vapora.Bench.Measurement;
using Vapora.Bench.Shared;
using Vapora.Contracts;

namespace Vapora.Bench.Clients;

/// <summary>
/// A SignalR client as a typical user writes one: a typed <c>update</c> handler on a HubConnection, then
/// <c>Watch(workflowId)</c>. WebSockets only, without the negotiate round trip (a documented client option).
/// </summary>
internal sealed class SignalRWatcher : IWatcher
{
    private readonly HubConnection _connection;
    private bool _disposing;

    private SignalRWatcher(HubConnection connection) => _connection = connection;

    public static async Task<SignalRWatcher> ConnectAsync(Uri hubUrl, string group, ClientTracker tracker, CancellationToken cancellationToken)
    {
        var connection = new HubConnectionBuilder()
            .WithUrl(hubUrl, HttpTransportType.WebSockets, options => options.SkipNegotiation = true)
            .Build();
        var watcher = new SignalRWatcher(connection);
        connection.On<WorkflowUpdate>(ProgressHub.UpdateMethod, update =>
            tracker.OnUpdate(update.Version, SentTime.TicksOf(update.Message), Stopwatch.GetTimestamp()));
        connection.Closed += error =>
        {
            if (!watcher._disposing)
            {
                tracker.OnClosed("closed: " + (error?.Message ?? "by the server"));
            }

            return Task.CompletedTask;
        };

        try
        {
            await connection.StartAsync(cancellationToken);
            await connection.InvokeAsync(nameof(ProgressHub.Watch), group, cancellationToken);
        }
        catch
        {
            await watcher.DisposeAsync();
            throw;
        }

        // The group is joined (its Redis channel subscribed) once Watch returns.
        tracker.FirstFrame.TrySetResult();
        return watcher;
    }

    public async ValueTask DisposeAsync()
    {
        _disposing = true;
        await _connection.DisposeAsync();
    }
}
