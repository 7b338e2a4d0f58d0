namespace Vapora.RealtimeGateway.Broker;

/// <summary>Receives what the broker hears.</summary>
internal interface IBrokerHandler
{
    /// <summary>A message on a workflow's channel, in the order Redis delivered it on that channel.</summary>
    void OnMessage(string workflowId, ReadOnlyMemory<byte> payload);

    /// <summary>
    /// The subscription connection came back after a failure: messages may have been lost meanwhile,
    /// so every watched workflow must be checked against the update log.
    /// </summary>
    void OnReconnected();
}
