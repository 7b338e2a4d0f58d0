namespace Vapora.RealtimeGateway.Resume;

/// <summary>
/// Where a subscription starts, and from which source: the current state, the topic's recent frames, a (shared)
/// history read, or a reset when it cannot be continued gap-free. This is the one place that decides; it is pure, and
/// <see cref="CatchUp"/> gathers the facts it asks for and carries out each step (see the table in
/// ResumeRuleTests). In the manner of centrifuge's <c>isRecovered</c>.
/// </summary>
internal static class ResumeRule
{
    public static ResumeStep Decide(in ResumeFacts facts)
    {
        if (!facts.Topic.IsReady)
        {
            return ResumeStep.Unavailable;
        }

        if (facts.Position is not { } position)
        {
            return ResumeStep.State;
        }

        if (facts.Page is { } page)
        {
            return page switch
            {
                // The topic is past the position, so the log must have more: it lags its own publishes (already retried).
                { Count: 0 } => ResumeStep.Unavailable,
                // The log is contiguous (invariant 1): a first version above position + 1 means the rest was compacted.
                _ when page.FirstVersion > position + 1 => ResumeStep.ResetCompacted,
                _ when page.FirstVersion <= position => ResumeStep.Unavailable,
                _ => ResumeStep.CatchUpPage,
            };
        }

        if (position > facts.Topic.Head)
        {
            // Fine if this gateway lags (the versions come live); a reset if the store never had them.
            return facts.LatestStored switch
            {
                null => ResumeStep.CheckLatest,
                { } latest when position > latest => ResumeStep.ResetAhead,
                _ => ResumeStep.Memory,
            };
        }

        return position >= facts.Topic.OldestInMemory - 1 ? ResumeStep.Memory : ResumeStep.ReadHistory;
    }
}
