namespace Vapora.RealtimeGateway.Broker;

/// <summary>
/// The backplane as the gateway sees it: subscribe to one workflow's channel, unsubscribe, and tell the registered
/// <see cref="IBrokerHandler"/> about messages and reconnects.
/// </summary>
internal interface IWorkflowBroker
{
    /// <summary>Subscribes; returns once the server confirmed, so nothing published afterwards is missed.</summary>
    Task SubscribeAsync(string workflowId, CancellationToken cancellationToken);

    /// <summary>Unsubscribes.</summary>
    Task UnsubscribeAsync(string workflowId);

    /// <summary>Channels this process is subscribed to.</summary>
    int SubscribedChannels { get; }

    /// <summary>Sets who hears messages and reconnects: once, at start-up, before anything subscribes.</summary>
    void RegisterHandler(IBrokerHandler handler);
}
