using Microsoft.AspNetCore.SignalR;

namespace Vapora.Bench.Shared;

/// <summary>
/// The SignalR peer's hub: a client watches a workflow by joining the group named after it. Compiled into the peer
/// server and into the harness (which publishes through <c>IHubContext&lt;ProgressHub&gt;</c>), because the Redis
/// backplane names its channels after the hub's full type name: both sides must use the same type.
/// </summary>
public sealed class ProgressHub : Hub
{
    /// <summary>The method the harness publishes with: <c>Clients.Group(workflowId).SendAsync(UpdateMethod, update)</c>.</summary>
    public const string UpdateMethod = "update";

    /// <summary>Starts sending this connection the updates of <paramref name="workflowId"/>.</summary>
    public Task Watch(string workflowId) => Groups.AddToGroupAsync(Context.ConnectionId, workflowId);
}
