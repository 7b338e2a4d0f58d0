using Vapora.RealtimeGateway.Hub;
using Vapora.RealtimeGateway.Internal;
using Vapora.RealtimeGateway.Resume;
using Vapora.RealtimeGateway.UpdateLog;

namespace Vapora.RealtimeGateway.Connections;

/// <summary>
/// The workflows one connection watches: access checks and limits, joining the workflow's topic, catching up, and
/// letting go. Independent of the transport: a WebSocket and an event stream subscribe the same way.
/// </summary>
/// <remarks>
/// Most connections watch one workflow (a stream, or a page on one workflow), so the first subscription is held in a
/// field and the dictionary is made only for a second one: an idle connection holds no dictionary (docs/benchmarks.md).
/// </remarks>
internal sealed class SubscriptionSet(Connection connection, ConnectionServices services)
{
    private readonly object _lock = new();
    private WorkflowSubscription? _single;
    private Dictionary<string, WorkflowSubscription>? _many;

    public int Count
    {
        get { lock (_lock) { return CountLocked; } }
    }

    private int CountLocked => _many?.Count ?? (_single is null ? 0 : 1);

    /// <summary>Joins a workflow and catches up from <paramref name="after"/> (null: the current state first), then goes live.</summary>
    /// <param name="subscribedFrame">Sent once the workflow is known to exist, before any update (the /ws protocol).</param>
    public async Task<SubscribeResult> SubscribeAsync(string workflowId, long? after, bool enveloped, ReadOnlyMemory<byte>? subscribedFrame)
    {
        if (!services.Access.CanRead(connection.User, workflowId))
        {
            services.Metrics.InboundRejected("forbidden");
            return SubscribeResult.Forbidden;
        }

        var subscription = new WorkflowSubscription(connection, workflowId, after, enveloped);
        lock (_lock)
        {
            if (FindLocked(workflowId) is not null)
            {
                return SubscribeResult.AlreadySubscribed;
            }

            if (CountLocked >= services.Options.MaxSubscriptionsPerConnection)
            {
                return SubscribeResult.TooManySubscriptions;
            }

            AddLocked(subscription);
        }

        var attached = false;
        try
        {
            var (lease, status) = await services.Topics.JoinAsync(workflowId, connection.Aborted);
            if (lease.Topic is not { } topic)
            {
                return status == TopicStatus.NotFound ? SubscribeResult.NotFound : SubscribeResult.Unavailable;
            }

            lock (_lock)
            {
                subscription.Lease = lease;
            }

            if (subscribedFrame is { } subscribed)
            {
                await connection.EnqueueWaitingAsync(subscribed, FrameKind.Control);
            }

            var outcome = await services.CatchUp.AttachAsync(subscription, topic, after, connection.Aborted);
            attached = outcome is ResumeOutcome.Attached or ResumeOutcome.Reset;
            if (!attached)
            {
                return outcome == ResumeOutcome.NotFound ? SubscribeResult.NotFound : SubscribeResult.Unavailable;
            }

            lock (_lock)
            {
                subscription.IsAttached = true;
            }

            // A token refresh that came meanwhile passed this subscription over (it was not attached yet): check it
            // against the token the connection holds now.
            attached = services.Access.CanRead(connection.User, workflowId);
            return attached ? SubscribeResult.Subscribed : SubscribeResult.Forbidden;
        }
        catch (HistoryReadRefusedException)
        {
            // Counted and logged (once per burst) where it was refused.
            return SubscribeResult.Busy;
        }
        catch (UpdateLogUnavailableException ex)
        {
            GatewayLog.CatchUpFailed(services.Logger, connection.Id, workflowId, ex);
            return SubscribeResult.Unavailable;
        }
        catch (OperationCanceledException)
        {
            // The connection closed while subscribing.
            return SubscribeResult.Unavailable;
        }
        finally
        {
            if (!attached)
            {
                Forget(subscription);
            }
        }
    }

    /// <summary>Stops watching a workflow; false if it was not watched.</summary>
    public bool Unsubscribe(string workflowId)
    {
        WorkflowSubscription? subscription;
        lock (_lock)
        {
            subscription = FindLocked(workflowId);
            if (subscription is null || subscription.Lease.Topic is null)
            {
                return false;
            }
        }

        Forget(subscription);
        return true;
    }

    /// <summary>
    /// After the connection's token was replaced: lets go of every workflow the new token does not allow and returns
    /// them. One still being joined is checked by its subscribe once attached.
    /// </summary>
    public List<string> ForgetUnreadable()
    {
        WorkflowSubscription[] attached;
        lock (_lock)
        {
            attached = _many is not null ? [.. _many.Values.Where(s => s.IsAttached)] : _single is { IsAttached: true } single ? [single] : [];
        }

        var forgotten = new List<string>();
        foreach (var subscription in attached)
        {
            if (!services.Access.CanRead(connection.User, subscription.WorkflowId))
            {
                Forget(subscription);
                forgotten.Add(subscription.WorkflowId);
            }
        }

        return forgotten;
    }

    /// <summary>Lets go of every workflow (the connection ended).</summary>
    public void Clear()
    {
        WorkflowSubscription[] all;
        lock (_lock)
        {
            all = _many is not null ? [.. _many.Values] : _single is null ? [] : [_single];
        }

        foreach (var subscription in all)
        {
            Forget(subscription);
        }
    }

    private void Forget(WorkflowSubscription subscription)
    {
        TopicLease lease;
        lock (_lock)
        {
            RemoveLocked(subscription);

            // Taken under the lock, so the reference is given back once however Forget is reached.
            lease = subscription.Lease;
            subscription.Lease = default;
        }

        if (lease.Topic is { } topic)
        {
            topic.Detach(subscription);
            lease.Release();
        }
    }

    private WorkflowSubscription? FindLocked(string workflowId) =>
        _many is not null ? _many.GetValueOrDefault(workflowId) : _single?.WorkflowId == workflowId ? _single : null;

    private void AddLocked(WorkflowSubscription subscription)
    {
        if (_many is null && _single is null)
        {
            _single = subscription;
            return;
        }

        if (_many is null)
        {
            _many = new Dictionary<string, WorkflowSubscription>(StringComparer.Ordinal) { [_single!.WorkflowId] = _single };
            _single = null;
        }

        _many[subscription.WorkflowId] = subscription;
    }

    private void RemoveLocked(WorkflowSubscription subscription)
    {
        if (_many is not null)
        {
            if (_many.TryGetValue(subscription.WorkflowId, out var current) && ReferenceEquals(current, subscription))
            {
                _many.Remove(subscription.WorkflowId);
            }
        }
        else if (ReferenceEquals(_single, subscription))
        {
            _single = null;
        }
    }
}
