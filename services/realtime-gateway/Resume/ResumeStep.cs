namespace Vapora.RealtimeGateway.Resume;

/// <summary>What a subscription does next to start, as <see cref="ResumeRule"/> decides it.</summary>
internal enum ResumeStep
{
    /// <summary>No position: the current state, then live.</summary>
    State,

    /// <summary>Memory holds every version after the position (none when at or beyond the head): those, then live.</summary>
    Memory,

    /// <summary>Behind memory: read the history page after the position (shared with resumes that ask the same), then decide again.</summary>
    ReadHistory,

    /// <summary>The page read continues from the position: queue it (waiting for room), then decide again from its last version.</summary>
    CatchUpPage,

    /// <summary>Beyond this gateway's head: ask the log for its latest version (this gateway may lag), then decide again.</summary>
    CheckLatest,

    /// <summary>The history after the position was compacted away: the state marked as a reset, then live from its version.</summary>
    ResetCompacted,

    /// <summary>The client is ahead of the store (a restore from backup): the state marked as a reset, then live from its version.</summary>
    ResetAhead,

    /// <summary>The topic or the log cannot serve this now (stopped, or the log disagrees with the topic): the client resumes later.</summary>
    Unavailable,
}
