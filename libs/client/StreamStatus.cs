namespace Vapora.Client;

/// <summary>Where a stream is.</summary>
public enum StreamStatus
{
    /// <summary>Opening the first connection.</summary>
    Connecting,

    /// <summary>Connected and receiving.</summary>
    Live,

    /// <summary>Lost the connection; waiting to reconnect and resume.</summary>
    Reconnecting,

    /// <summary>Ended: closed normally, gave up, or cancelled.</summary>
    Stopped,
}
