namespace Vapora.RealtimeGateway.Broker;

/// <summary>
/// The backplane as the hub sees it: subscribe to one workflow's channel, unsubscribe, and hear
/// about messages and reconnects through <see cref="IBrokerListener"/>.
/// </summary>
internal interface IWorkflowBroker
{
    /// <summary>Subscribes; returns once the server confirmed, so nothing published afterwards is missed.</summary>
    Task SubscribeAsync(string workflowId, CancellationToken cancellationToken);

    /// <summary>Unsubscribes.</summary>
    Task UnsubscribeAsync(string workflowId);

    /// <summary>Channels this process is subscribed to.</summary>
    int SubscribedChannels { get; }

    /// <summary>Sets who hears messages and reconnects (the hub, once, at start-up).</summary>
    void Attach(IBrokerListener listener);
}

/// <summary>Receives what the broker hears.</summary>
internal interface IBrokerListener
{
    /// <summary>A message on a workflow's channel, in the order Redis delivered it on that channel.</summary>
    void OnMessage(string workflowId, ReadOnlyMemory<byte> payload);

    /// <summary>
    /// The subscription connection came back after a failure: messages may have been lost meanwhile,
    /// so every watched workflow must be checked against the update log.
    /// </summary>
    void OnReconnected();
}
