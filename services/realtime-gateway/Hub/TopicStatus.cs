namespace Vapora.RealtimeGateway.Hub;

/// <summary>Where a topic is in its life.</summary>
internal enum TopicStatus
{
    /// <summary>Subscribing and reading the baseline; messages are held until it is known.</summary>
    Initializing,

    /// <summary>Forwarding updates.</summary>
    Ready,

    /// <summary>The workflow does not exist.</summary>
    NotFound,

    /// <summary>Redis or the API could not be reached while starting.</summary>
    Unavailable,

    /// <summary>Removed from the registry after its grace period: it forwards and repairs nothing more.</summary>
    Stopped,
}
