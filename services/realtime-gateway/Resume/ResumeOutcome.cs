namespace Vapora.RealtimeGateway.Resume;

/// <summary>How bringing a subscription up to its topic ended.</summary>
internal enum ResumeOutcome
{
    /// <summary>Attached: it got every version after its position (or the state), and the rest comes live.</summary>
    Attached,

    /// <summary>Attached after the state marked as a reset: its versions could not be continued gap-free.</summary>
    Reset,

    /// <summary>The workflow no longer exists.</summary>
    NotFound,

    /// <summary>The topic or the log cannot catch it up now: the client resumes later.</summary>
    Unavailable,
}
