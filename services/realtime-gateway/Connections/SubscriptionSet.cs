using Vapora.RealtimeGateway.CatchUp;
using Vapora.RealtimeGateway.Hub;
using Vapora.RealtimeGateway.Internal;

namespace Vapora.RealtimeGateway.Connections;

/// <summary>
/// The workflows one connection watches: access checks and limits, joining the workflow's topic, catching up, and
/// letting go. Independent of the transport: a WebSocket and an event stream subscribe the same way.
/// </summary>
internal sealed class SubscriptionSet(Connection connection, ConnectionServices services)
{
    private readonly Dictionary<string, WorkflowSubscription> _subscriptions = new(StringComparer.Ordinal);

    public int Count
    {
        get { lock (_subscriptions) { return _subscriptions.Count; } }
    }

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
        lock (_subscriptions)
        {
            if (_subscriptions.ContainsKey(workflowId))
            {
                return SubscribeResult.AlreadySubscribed;
            }

            if (_subscriptions.Count >= services.Options.MaxSubscriptionsPerConnection)
            {
                return SubscribeResult.TooManySubscriptions;
            }

            _subscriptions[workflowId] = subscription;
        }

        var attached = false;
        try
        {
            var (lease, status) = await services.Topics.JoinAsync(workflowId, connection.Aborted);
            if (lease.Topic is not { } topic)
            {
                return status == TopicStatus.NotFound ? SubscribeResult.NotFound : SubscribeResult.Unavailable;
            }

            lock (_subscriptions)
            {
                subscription.Lease = lease;
            }

            if (after is { } requested && requested > topic.Head)
            {
                // Beyond this gateway's head: fine if this gateway lags, an error if the workflow has no such version.
                var latest = await services.UpdateLog.GetStateAsync(workflowId, connection.Aborted);
                if (latest is null)
                {
                    return SubscribeResult.NotFound;
                }

                if (requested > latest.Version)
                {
                    return SubscribeResult.AfterBeyondLatest;
                }
            }

            if (subscribedFrame is { } subscribed)
            {
                await connection.EnqueueAsync(subscribed);
            }

            if (after is not null)
            {
                services.Metrics.Resumed();
            }

            attached = await services.CatchUp.AttachAsync(subscription, topic, after, connection.Aborted);
            return attached ? SubscribeResult.Subscribed : SubscribeResult.Unavailable;
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
        lock (_subscriptions)
        {
            if (!_subscriptions.TryGetValue(workflowId, out subscription) || subscription.Lease.Topic is null)
            {
                return false;
            }
        }

        Forget(subscription);
        return true;
    }

    /// <summary>Lets go of every workflow (the connection ended).</summary>
    public void Clear()
    {
        WorkflowSubscription[] all;
        lock (_subscriptions)
        {
            all = [.. _subscriptions.Values];
        }

        foreach (var subscription in all)
        {
            Forget(subscription);
        }
    }

    private void Forget(WorkflowSubscription subscription)
    {
        TopicLease lease;
        lock (_subscriptions)
        {
            if (_subscriptions.TryGetValue(subscription.WorkflowId, out var current) && ReferenceEquals(current, subscription))
            {
                _subscriptions.Remove(subscription.WorkflowId);
            }

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
}
