namespace Vapora.RealtimeGateway.Connections;

/// <summary>How a subscribe ended.</summary>
internal enum SubscribeResult
{
    Subscribed,
    NotFound,
    Forbidden,
    Unavailable,
    AlreadySubscribed,
    TooManySubscriptions,
    AfterBeyondLatest,

    /// <summary>Too many history reads in flight and queued on this gateway: try again after a backoff.</summary>
    Busy,
}
