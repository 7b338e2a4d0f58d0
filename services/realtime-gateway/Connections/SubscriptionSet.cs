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
/// Failed subscribes (unknown, forbidden, repeated, over the limit) spend a budget that refills slowly
/// (<c>Gateway:FailedSubscribeBudget</c>, one back per <c>Gateway:FailedSubscribeRefill</c>); without budget a subscribe
/// is refused as <see cref="SubscribeResult.RateLimited"/> before it costs a Redis subscribe or an API read, so a
/// connection cannot turn a stream of made-up ids into load on either.
/// <para>
/// Most connections watch one workflow (a stream, or a page on one workflow), so the first subscription is held in a
/// field and the dictionary is made only for a second one: an idle connection holds no dictionary (docs/benchmarks.md).
/// </para>
/// </remarks>
internal sealed class SubscriptionSet(Connection connection, ConnectionServices services)
{
    private readonly object _lock = new();
    private WorkflowSubscription? _single;
    private Dictionary<string, WorkflowSubscription>? _many;
    private readonly long _openedAt = services.Time.GetTimestamp();
    /// <summary>When the set last became empty (<see cref="_openedAt"/> at first); 0 while it watches something.</summary>
    private long _emptySince;
    private int _failuresLeft = services.Options.FailedSubscribeBudget;
    /// <summary>When the failure budget was last topped up (<see cref="_openedAt"/> at first).</summary>
    private long _refilledAt;

    public int Count
    {
        get { lock (_lock) { return CountLocked; } }
    }

    private int CountLocked => _many?.Count ?? (_single is null ? 0 : 1);

    /// <summary>How long the connection has watched nothing (zero while it watches something).</summary>
    public TimeSpan IdleFor()
    {
        lock (_lock)
        {
            return CountLocked > 0 ? TimeSpan.Zero : services.Time.GetElapsedTime(_emptySince == 0 ? _openedAt : _emptySince);
        }
    }

    /// <summary>May this connection's token read <paramref name="workflowId"/> at all?</summary>
    public bool MayRead(string workflowId) => services.Access.CanRead(connection.User, workflowId);

    /// <summary>Joins a workflow and catches up from <paramref name="after"/> (null: the current state first), then goes live.</summary>
    /// <param name="subscribedFrame">Sent once the workflow is known to exist, before any update (the /ws protocol).</param>
    public async Task<SubscribeResult> SubscribeAsync(string workflowId, long? after, bool enveloped, ReadOnlyMemory<byte>? subscribedFrame)
    {
        var result = await TrySubscribeAsync(workflowId, after, enveloped, subscribedFrame);
        if (result == SubscribeResult.NotFound || result == SubscribeResult.Forbidden || result == SubscribeResult.AlreadySubscribed
            || result == SubscribeResult.TooManySubscriptions)
        {
            lock (_lock)
            {
                _failuresLeft--;
            }
        }

        return result;
    }

    private async Task<SubscribeResult> TrySubscribeAsync(string workflowId, long? after, bool enveloped, ReadOnlyMemory<byte>? subscribedFrame)
    {
        if (!HasFailureBudget())
        {
            services.Metrics.InboundRejected("subscribe_budget");
            return SubscribeResult.RateLimited;
        }

        if (!services.Access.CanRead(connection.User, workflowId))
        {
            services.Metrics.InboundRejected("forbidden");
            return SubscribeResult.Forbidden;
        }

        if (services.NotFound.IsKnownMissing(workflowId))
        {
            return SubscribeResult.NotFound;
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
                if (status != TopicStatus.NotFound)
                {
                    return SubscribeResult.Unavailable;
                }

                services.NotFound.Remember(workflowId);
                return SubscribeResult.NotFound;
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

    /// <summary>True when a failure may still be afforded; tops the budget up by the refills earned since the last one.</summary>
    private bool HasFailureBudget()
    {
        var budget = services.Options.FailedSubscribeBudget;
        var refill = services.Options.FailedSubscribeRefill;
        lock (_lock)
        {
            var since = _refilledAt == 0 ? _openedAt : _refilledAt;
            if (_failuresLeft >= budget)
            {
                _refilledAt = services.Time.GetTimestamp();
                return true;
            }

            var earned = services.Time.GetElapsedTime(since).Ticks / refill.Ticks;
            if (earned > 0)
            {
                _failuresLeft = (int)Math.Min(budget, _failuresLeft + earned);
                _refilledAt = since + (long)(earned * refill.TotalSeconds * services.Time.TimestampFrequency);
            }

            return _failuresLeft > 0;
        }
    }

    private WorkflowSubscription? FindLocked(string workflowId) =>
        _many is not null ? _many.GetValueOrDefault(workflowId) : _single?.WorkflowId == workflowId ? _single : null;

    private void AddLocked(WorkflowSubscription subscription)
    {
        _emptySince = 0;
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

        if (CountLocked == 0 && _emptySince == 0)
        {
            _emptySince = services.Time.GetTimestamp();
        }
    }
}
