namespace Vapora.RealtimeGateway.Hub;

/// <summary>How an attempt to attach a watcher to a topic ended.</summary>
internal enum AttachResult
{
    /// <summary>Attached: what it lacked was handed over, and every later version comes live.</summary>
    Attached,

    /// <summary>Memory no longer holds every version after the watcher's position: read the history first.</summary>
    NotInMemory,

    /// <summary>The watcher's connection had no room for the hand-over: make room, then try again.</summary>
    NoRoom,

    /// <summary>The topic forwards nothing (stopped): the watcher was not attached.</summary>
    Closed,
}
