namespace Vapora.WorkflowApi.Persistence.Memory;

/// <summary>Leases (one process: they matter only to several relays in it, as tests run them) and retention.</summary>
public sealed partial class InMemoryStorage
{
    private readonly Dictionary<string, (string Owner, DateTimeOffset Until)> _leases = new(StringComparer.Ordinal);

    /// <inheritdoc />
    public Task<bool> TryAcquireLeaseAsync(string lease, string owner, TimeSpan duration, CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        lock (_leases)
        {
            if (_leases.TryGetValue(lease, out var held) && held.Owner != owner && held.Until > now)
            {
                return Task.FromResult(false);
            }

            _leases[lease] = (owner, now + duration);
            return Task.FromResult(true);
        }
    }

    /// <inheritdoc />
    public Task ReleaseLeaseAsync(string lease, string owner, CancellationToken cancellationToken)
    {
        lock (_leases)
        {
            if (_leases.TryGetValue(lease, out var held) && held.Owner == owner)
            {
                _leases.Remove(lease);
            }
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<RetentionCandidate>> FindRetentionDueAsync(RetentionStage stage, DateTimeOffset terminalBefore, int limit, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<RetentionCandidate>>(_summaries.Values
            .Where(s => s.TerminalAt is { } ended && ended < terminalBefore && (stage == RetentionStage.Delete || !s.Compacted))
            .OrderBy(s => s.TerminalAt)
            .ThenBy(s => s.State.WorkflowId, StringComparer.Ordinal)
            .Take(limit)
            .Select(s => new RetentionCandidate(s.State.WorkflowId, s.State.Version, s.TerminalAt!.Value))
            .ToList());

    /// <inheritdoc />
    public Task<RetentionResult> CompactAsync(IReadOnlyList<RetentionCandidate> workflows, CancellationToken cancellationToken)
    {
        var result = default(RetentionResult);
        foreach (var workflow in workflows)
        {
            if (_logs.TryGetValue(workflow.WorkflowId, out var log))
            {
                lock (log)
                {
                    var keep = (int)Math.Clamp(workflow.LastVersion - log.First, 0, log.Entries.Count);
                    if (log.Entries.Any(e => _outbox.ContainsKey(e.Key)))
                    {
                        result = result.Add(new RetentionResult(0, 0, 1));
                        continue;
                    }

                    log.Entries.RemoveRange(0, keep);
                    // A compacted log stays this size for the rest of its life: give back the array's empty slots.
                    log.Entries.TrimExcess();
                    log.First += keep;
                    result = result.Add(new RetentionResult(1, keep, 0));
                }
            }

            while (_summaries.TryGetValue(workflow.WorkflowId, out var summary)
                && !_summaries.TryUpdate(workflow.WorkflowId, summary with { Compacted = true }, summary))
            {
            }
        }

        return Task.FromResult(result);
    }

    /// <inheritdoc />
    public Task<RetentionResult> DeleteWorkflowsAsync(IReadOnlyList<RetentionCandidate> workflows, CancellationToken cancellationToken)
    {
        var result = default(RetentionResult);
        foreach (var workflow in workflows)
        {
            var entries = 0;
            if (_logs.TryGetValue(workflow.WorkflowId, out var log))
            {
                lock (log)
                {
                    if (log.Entries.Any(e => _outbox.ContainsKey(e.Key)))
                    {
                        result = result.Add(new RetentionResult(0, 0, 1));
                        continue;
                    }

                    entries = log.Entries.Count;
                    _logs.TryRemove(workflow.WorkflowId, out _);
                }
            }

            _summaries.TryRemove(workflow.WorkflowId, out _);
            result = result.Add(new RetentionResult(1, entries, 0));
        }

        return Task.FromResult(result);
    }
}
