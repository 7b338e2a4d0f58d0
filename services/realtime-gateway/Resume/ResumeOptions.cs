using System.ComponentModel.DataAnnotations;

namespace Vapora.RealtimeGateway.Resume;

/// <summary>How resumes read the history (section <c>Gateway</c>): shared reads, and how many may run and wait at once.</summary>
public sealed class ResumeOptions
{
    /// <summary>Configuration section (shared with the gateway's other options: the keys are the documented ones).</summary>
    public const string SectionName = "Gateway";

    /// <summary>
    /// Concurrent resumes of a workflow share one history read per page (keyed by workflow and position), and what it
    /// returns seeds the workflow's recent updates, so later resumes are served from memory. Off: every resume reads
    /// its own pages, as before issue 18 (kept for comparison; see docs/benchmarks.md, reconnect storm).
    /// </summary>
    public bool CoalesceCatchUp { get; set; } = true;

    /// <summary>History reads for catch-up that may be in flight to the API at once (gap repairs have their own limit).</summary>
    [Range(1, 1000)]
    public int MaxConcurrentHistoryReads { get; set; } = 16;

    /// <summary>
    /// History reads that may wait for one of <see cref="MaxConcurrentHistoryReads"/>; a resume that would queue beyond
    /// it is refused (close 4002, or an <c>unavailable</c> error frame on /ws) and the client resumes after a backoff.
    /// </summary>
    [Range(0, 1_000_000)]
    public int HistoryReadQueueLimit { get; set; } = 1000;
}
