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
}
